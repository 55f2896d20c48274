"""The saved `ItemIndex` (every item's and user's code) and `ItemIndexer`, what the data module
needs from an indexer.

The protocol lives here, in the data layer, so that the data module receives an indexer without
importing the `indexers` package (which sits above it); every class of `indexers/` satisfies it
through `indexers.base.Indexer`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np

from datamodules.interactions import Sequences
from kitbase.errors import DataFormatError, IndexMismatchError
from kitbase.files import write_atomic

PAD = -1  # fills a code shorter than the longest one


@dataclass(frozen=True)
class ItemIndex:
    """Fitted codes of every item and user, plus what produced them.

    `item_codes[i]` is item i's code padded with `PAD` on the right; rows are unique.
    `user_codes[u]` is user u's input code, padded likewise (users may share codes).
    """

    item_codes: np.ndarray  # (n_items, L_item) int64
    user_codes: np.ndarray  # (n_users, L_user) int64
    indexer: str
    config: dict = field(default_factory=dict)
    data_fingerprint: str = ""

    def __post_init__(self) -> None:
        codes = self.item_codes
        if codes.ndim != 2 or codes.shape[1] == 0:
            raise IndexMismatchError(f"item codes must be a 2-D array, got shape {codes.shape}")
        if (codes[:, 0] < 0).any():
            raise IndexMismatchError("every item code needs at least one token")
        valid = codes >= 0
        # Padding may only follow the code: no token after a PAD.
        if (valid[:, 1:] & ~valid[:, :-1]).any():
            raise IndexMismatchError("item codes have tokens after padding")
        if len(np.unique(codes, axis=0)) != len(codes):
            raise IndexMismatchError(f"{self.indexer}: item codes are not unique")

    @property
    def n_items(self) -> int:
        return len(self.item_codes)

    @property
    def n_users(self) -> int:
        return len(self.user_codes)

    @property
    def item_code_lengths(self) -> np.ndarray:
        return (self.item_codes >= 0).sum(axis=1)

    def level_sizes(self, kind: str = "item") -> list[int]:
        """Number of distinct values each level needs (max value + 1)."""
        codes = self.item_codes if kind == "item" else self.user_codes
        return [int(codes[:, j].max()) + 1 if (codes[:, j] >= 0).any() else 0 for j in range(codes.shape[1])]

    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(np.ascontiguousarray(self.item_codes, dtype=np.int64).tobytes())
        h.update(np.ascontiguousarray(self.user_codes, dtype=np.int64).tobytes())
        h.update(json.dumps([self.indexer, self.config, self.data_fingerprint], sort_keys=True).encode())
        return h.hexdigest()[:16]

    def to_dict(self) -> dict:
        return {
            "indexer": self.indexer,
            "config": self.config,
            "data_fingerprint": self.data_fingerprint,
            "item_codes": self.item_codes.tolist(),
            "user_codes": self.user_codes.tolist(),
            "hash": self.content_hash(),
        }

    @staticmethod
    def from_dict(d: dict, source: str = "index") -> ItemIndex:
        try:
            index = ItemIndex(
                item_codes=np.asarray(d["item_codes"], dtype=np.int64),
                user_codes=np.asarray(d["user_codes"], dtype=np.int64),
                indexer=d["indexer"],
                config=d["config"],
                data_fingerprint=d["data_fingerprint"],
            )
            expected = d["hash"]
        except (KeyError, TypeError, ValueError) as e:
            raise IndexMismatchError(f"{source}: not a valid index ({type(e).__name__}: {e})") from None
        if index.content_hash() != expected:
            raise IndexMismatchError(
                f"{source}: content hash {index.content_hash()} does not match the stored "
                f"{expected}; the index was edited or corrupted, delete it to rebuild"
            )
        return index

    def save(self, path: str | Path) -> None:
        """Write atomically (temporary file then rename): a crash never leaves half an index."""
        write_atomic(Path(path), json.dumps(self.to_dict()).encode())

    @staticmethod
    def load(path: str | Path) -> ItemIndex:
        path = Path(path)
        if not path.is_file():
            raise DataFormatError(f"{path}: no such index file")
        try:
            d = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise IndexMismatchError(f"{path}: not a valid index file ({e})") from None
        return ItemIndex.from_dict(d, source=str(path))


class ItemIndexer(Protocol):
    """What the data module calls on an indexer, in this order: `check_inputs` (before any data
    is read), `config` and `code_version` (the index cache key), then `fit` on training
    interactions only. The CLI accepts a `--data.indexer` class whose methods have these
    signatures; subclassing `indexers.base.Indexer` gives them."""

    name: ClassVar[str]

    def check_inputs(self) -> None: ...

    def config(self) -> dict: ...

    def code_version(self) -> str: ...

    def fit(
        self, train: Sequences, data_fingerprint: str = "", item_ids: np.ndarray | None = None
    ) -> ItemIndex: ...
