"""The indexer base class and the code-building helpers the indexers share.

An indexer reads *training* interactions only and gives every item a unique code, a short tuple
of non-negative integers (one per level), and every user an input code. The model turns
(kind, level, value) into its own token, so codes stay small integers here.

To add an indexer: subclass `Indexer` in a new file, set `name`, implement `encode`, and import
the module in `indexers/registry.py`.
"""

from __future__ import annotations

import hashlib
import inspect
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np

from datamodules.interactions import Sequences
from datamodules.item_index import PAD, ItemIndex
from kitbase.errors import ConfigError


def source_hash(package: Path) -> str:
    """Hash of the source of every module of `package`, so that a changed indexer, constant or
    shared helper never serves the codes that the old code made."""
    h = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    return h.hexdigest()[:16]


def digit_codes(numbers: np.ndarray, base: int) -> np.ndarray:
    """Write non-negative integers as fixed-width base-`base` digits, most significant first."""
    if base < 2:
        raise ConfigError(f"base must be at least 2, got {base}")
    top = int(numbers.max()) if len(numbers) else 0
    width = 1
    while base**width <= top:
        width += 1
    powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers[None, :]) % base


def append_disambiguation(prefix: np.ndarray, always: bool = True) -> np.ndarray:
    """Append a token that numbers the rows sharing the same (padded) prefix: 0, 1, 2, ...

    With `always=False`, rows whose prefix is already unique keep their code unchanged
    (the token is PAD there), as the spectral indexer's variable-length paths want.
    """
    _, inverse, counts = np.unique(prefix, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    rank = np.empty(len(prefix), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank[order] = np.arange(len(prefix)) - np.repeat(starts, counts)
    token = rank if always else np.where(counts[inverse] > 1, rank, PAD)
    out = np.concatenate([prefix, np.full((len(prefix), 1), PAD, dtype=np.int64)], axis=1)
    # Put the token right after each row's last real token, so padding stays at the end.
    lengths = (prefix >= 0).sum(axis=1)
    out[np.arange(len(prefix)), lengths] = token
    if not always and (token == PAD).all():
        out = out[:, :-1]
    return out


class Indexer(ABC):
    """Fits codes on training interactions. Subclasses set `name` and implement `encode`.

    Args:
        seed: seed for everything random in the indexer; the same seed gives the same codes.
        user_tokens: for indexers that only code items, how users are written: `atomic` (one
            token per user, a learned user embedding) or `digits` (the user number in `base`).
    """

    name: ClassVar[str] = ""

    def __init__(self, seed: int = 0, user_tokens: str = "atomic") -> None:
        if user_tokens not in ("atomic", "digits"):
            raise ConfigError(f"--data.indexer.user_tokens must be 'atomic' or 'digits', got {user_tokens!r}")
        self.seed = seed
        self.user_tokens = user_tokens

    def check_inputs(self) -> None:
        """Refuse missing input files of the indexer's own (none by default) before any data
        is read; the datamodule calls it first."""
        return None

    def code_version(self) -> str:
        """`source_hash` of the package of this indexer's class (for the kit's indexers, all of
        `indexers/`): part of each index cache key."""
        return source_hash(Path(inspect.getfile(type(self))).parent)

    def config(self) -> dict:
        """The constructor arguments, which key the index cache."""
        params = inspect.signature(type(self).__init__).parameters
        cfg = {k: getattr(self, k) for k in params if k != "self" and hasattr(self, k)}
        return {"name": self.name, **cfg}

    @abstractmethod
    def encode(self, train: Sequences) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (item_codes, user_codes or None). Must only read `train`."""

    def user_codes(self, n_users: int) -> np.ndarray:
        """Codes for users when the indexer gives none of its own."""
        numbers = np.arange(n_users, dtype=np.int64)
        if self.user_tokens == "atomic":
            return numbers[:, None]
        return digit_codes(numbers, getattr(self, "base", 100))

    def fit(
        self, train: Sequences, data_fingerprint: str = "", item_ids: np.ndarray | None = None
    ) -> ItemIndex:
        """Codes for the catalogue of `train`; `item_ids` (n_items,), the original id of each
        item index, are only read by indexers that take vectors from a file keyed by them."""
        self.item_ids = item_ids
        item_codes, user_codes = self.encode(train)
        if user_codes is None:
            user_codes = self.user_codes(train.n_users)
        return ItemIndex(
            item_codes=np.asarray(item_codes, dtype=np.int64),
            user_codes=np.asarray(user_codes, dtype=np.int64),
            indexer=self.name,
            config=self.config(),
            data_fingerprint=data_fingerprint,
        )
