"""Chronological interaction sequences in CSR form.

Every reader produces an `Interactions`: users and items are renumbered to contiguous 0-based
indices (what tensors need) while the original ids are kept, so that recommendations can be
written back in the ids the user gave us.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp


def ids_as_written(text: pl.Series) -> pl.Series:
    """Ids read as text, kept exactly as written: Int64 only when every value is a canonical
    integer that round-trips ('12', '-3'), otherwise the strings themselves.

    So '0001' stays '0001', '7' and '007' stay two ids, digits of other scripts and ids beyond
    the int64 range stay strings, and files of plain integer ids (the public P5 files) keep the
    numeric id order they always had.
    """
    as_int = text.cast(pl.Int64, strict=False)
    if as_int.null_count() == text.null_count() and (as_int.cast(pl.String) == text).all():
        return as_int
    return text


@dataclass(frozen=True)
class Sequences:
    """Per-user chronological item sequences, flattened.

    `items[offsets[u]:offsets[u + 1]]` is user u's sequence of 0-based item indices, oldest first.
    Invariant: `offsets` is non-decreasing, starts at 0 and ends at `len(items)`.
    """

    offsets: np.ndarray  # (n_users + 1,) int64
    items: np.ndarray  # (n_interactions,) int64
    n_items: int

    @property
    def n_users(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.items)

    def sequence(self, user: int) -> np.ndarray:
        return self.items[self.offsets[user] : self.offsets[user + 1]]

    def users(self) -> np.ndarray:
        """The user of each interaction, aligned with `items`."""
        return np.repeat(np.arange(self.n_users, dtype=np.int64), self.lengths)

    def user_item_matrix(self) -> sp.csr_matrix:
        """(n_users, n_items) sparse matrix of interaction counts."""
        data = np.ones(len(self.items), dtype=np.float32)
        return sp.csr_matrix(
            (data, (self.users(), self.items)), shape=(self.n_users, self.n_items)
        )

    @staticmethod
    def from_lists(seqs: list[np.ndarray] | list[list[int]], n_items: int) -> Sequences:
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        items = (
            np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])
            if len(seqs)
            else np.zeros(0, dtype=np.int64)
        )
        return Sequences(offsets, items, n_items)


@dataclass(frozen=True)
class Interactions:
    """All interactions of a dataset, with the original ids of users and items."""

    sequences: Sequences
    user_ids: np.ndarray  # (n_users,) original user id of each 0-based user index
    item_ids: np.ndarray  # (n_items,) original item id of each 0-based item index
    source: str  # file path or generator description, for messages

    @property
    def n_users(self) -> int:
        return self.sequences.n_users

    @property
    def n_items(self) -> int:
        return self.sequences.n_items

    def fingerprint(self) -> str:
        """Content hash of the data, stable across runs; keys caches and guards checkpoints."""
        h = hashlib.sha256()
        h.update(self.sequences.offsets.astype(np.int64).tobytes())
        h.update(self.sequences.items.astype(np.int64).tobytes())
        h.update("\x1f".join(map(str, self.user_ids.tolist())).encode())
        h.update("\x1e".join(map(str, self.item_ids.tolist())).encode())
        return h.hexdigest()[:16]
