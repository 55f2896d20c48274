"""The indexer base class and the saved `ItemIndex` format.

An indexer reads *training* interactions only and gives every item a unique code, a short tuple
of non-negative integers (one per level), and every user an input code. The model turns
(kind, level, value) into its own token, so codes stay small integers here.

To add an indexer: subclass `Indexer` in a new file, set `name`, implement `encode`, and import
the module in `indexers/registry.py`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from datamodules.errors import ConfigError, DataFormatError, IndexMismatchError
from datamodules.interactions import Sequences

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


def code_version(package: Path = Path(__file__).parent) -> str:
    """Hash of the source of every module of the indexers package (`package`): part of each index
    cache key, so that a changed indexer, constant or shared helper never serves the codes that
    the old code made."""
    h = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    return h.hexdigest()[:16]


def check_writable(directory: Path, option: str) -> None:
    """Raise a `ConfigError` naming `option` unless a file can be written into `directory` (made
    if missing). Tried with an unnamed temporary file in its nearest existing ancestor, so the
    check leaves nothing behind; permission bits alone miss read-only mounts and root."""
    existing = directory
    while not existing.exists():  # at worst the working directory or /
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{option}: cannot create {directory}: {existing} is a file")
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as e:
        why = f"{existing} is not writable ({e.strerror})"
        raise ConfigError(f"{option}: cannot write to {directory}: {why}") from None


def write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as a plain open() would; mkstemp makes files private
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
