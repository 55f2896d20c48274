"""Item vectors from a file: the embeddings an indexer quantises instead of learning its own.

Two layouts, keyed by the dataset's original item ids:

- Parquet with a column `item` (the ids) and a column `embedding` (a list or fixed-size array
  of floats per row): what `lightlm.sasrec.SASRec(export_embeddings=...)` writes, and what a
  text or image encoder's output usually becomes.
- `.npy` (n, dim) float array with an id file beside it (`embedding_ids`: one id per line, in
  row order).

Every catalogue item needs a row; rows for ids the catalogue lacks are ignored. A file that
cannot be trusted (duplicate or missing ids, NaN, ragged or non-numeric rows) is refused with
one line that names it, before any quantisation runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from kitbase.errors import ConfigError, DataFormatError

ID_COLUMN, VECTOR_COLUMN = "item", "embedding"


def file_digest(*paths: str | None) -> str:
    """Content hash of the given files, so that an index cache keyed by it misses when a vector
    file is rewritten under the same name."""
    h = hashlib.sha256()
    for path in paths:
        if path is None:
            continue
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def check_vector_files(path: str, ids_path: str | None, exist: bool = True) -> None:
    """Refuse a layout we cannot read (at configuration time) or a missing file (`exist`: before
    the data is read; a config may name a file that an earlier command of a chain writes)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".parquet", ".npy"):
        raise ConfigError(f"--data.indexer.embeddings {path}: expected a .parquet or .npy file")
    if suffix == ".npy" and ids_path is None:
        raise ConfigError(
            f"--data.indexer.embeddings {path}: a .npy file needs --data.indexer.embedding_ids "
            "(a text file with the item id of each row, one per line)"
        )
    for p in (path, ids_path) if exist else ():
        if p is not None and not Path(p).is_file():
            raise ConfigError(f"--data.indexer.embeddings: no such file {p}")


def read_item_vectors(path: str, ids_path: str | None, item_ids: np.ndarray) -> np.ndarray:
    """(n_items, dim) float32 vectors of the catalogue items `item_ids`, in their order."""
    check_vector_files(path, ids_path)
    if Path(path).suffix.lower() == ".npy":
        ids, vectors = _read_npy(path, ids_path)
    else:
        ids, vectors = _read_parquet(path)
    if len(vectors) == 0:
        raise DataFormatError(f"{path}: no vectors")
    if not np.isfinite(vectors).all():
        row = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise DataFormatError(
            f"{path}: the vector of item {str(ids[row])!r} (row {row + 1}) has NaN or infinite values"
        )
    uniq, first, counts = np.unique(ids, return_index=True, return_counts=True)
    if (counts > 1).any():
        dup = str(uniq[counts > 1][0])
        raise DataFormatError(
            f"{path}: item {dup!r} has {counts[counts > 1][0]} vectors; each item needs one"
        )
    wanted = np.asarray([str(i) for i in item_ids])
    pos = np.searchsorted(uniq, wanted).clip(max=len(uniq) - 1)
    missing = uniq[pos] != wanted
    if missing.any():
        some = ", ".join(repr(str(i)) for i in wanted[missing][:5])
        raise DataFormatError(
            f"{path}: {int(missing.sum())} of the {len(wanted)} catalogue items have no vector (e.g. {some})"
        )
    return vectors[first[pos]].astype(np.float32)


def _read_npy(path: str, ids_path: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        vectors = np.load(path, allow_pickle=False)
    except ValueError as e:
        raise DataFormatError(f"{path}: not a numeric .npy array ({e})") from None
    if vectors.ndim != 2 or not np.issubdtype(vectors.dtype, np.number):
        raise DataFormatError(
            f"{path}: expected a 2-D numeric array (items x dim), got shape {vectors.shape} {vectors.dtype}"
        )
    ids = np.asarray(Path(ids_path).read_text(encoding="utf-8").splitlines(), dtype=str)
    if len(ids) != len(vectors):
        raise DataFormatError(
            f"{ids_path}: {len(ids)} ids for the {len(vectors)} rows of {path}; one id per row"
        )
    return ids, vectors.astype(np.float64)


def _read_parquet(path: str) -> tuple[np.ndarray, np.ndarray]:
    import polars as pl

    try:
        frame = pl.read_parquet(path)
    except Exception as e:  # polars raises several error types for a file that is not Parquet
        raise DataFormatError(f"{path}: not a readable Parquet file ({type(e).__name__})") from None
    for col in (ID_COLUMN, VECTOR_COLUMN):
        if col not in frame.columns:
            raise DataFormatError(
                f"{path}: needs columns {ID_COLUMN!r} and {VECTOR_COLUMN!r}, found {frame.columns}"
            )
    column = frame[VECTOR_COLUMN]
    if not isinstance(column.dtype, (pl.List, pl.Array)) or not column.dtype.inner.is_numeric():
        raise DataFormatError(
            f"{path}: column {VECTOR_COLUMN!r} must hold lists of numbers, got {column.dtype}"
        )
    lengths = column.list.len() if isinstance(column.dtype, pl.List) else None
    if column.null_count() or (lengths is not None and lengths.n_unique() > 1):
        bad = int(np.flatnonzero(column.is_null().to_numpy() | (lengths != lengths[0]).to_numpy())[0])
        raise DataFormatError(
            f"{path}: row {bad + 1} (item {str(frame[ID_COLUMN][bad])!r}) has a vector of another length "
            "than the first row's, or none; all vectors need the same dimension"
        )
    vectors = np.asarray(column.cast(pl.List(pl.Float64)).to_list(), dtype=np.float64)
    ids = np.asarray([str(i) for i in frame[ID_COLUMN].to_list()])
    return ids, vectors


class QuantisesItemVectors:
    """Options of the indexers that quantise embeddings (gci, rq): `embeddings` replaces the
    embeddings they would learn (BPR/LightGCN) by vectors read from a file, for items only.

    The file's content hash joins the indexer's config, hence the index cache key: a rewritten
    file is never served the codes of the old one."""

    embeddings: str | None
    embedding_ids: str | None

    def check_vectors(self, entities: str) -> None:
        if self.embeddings is None:
            if self.embedding_ids is not None:
                raise ConfigError("--data.indexer.embedding_ids needs --data.indexer.embeddings")
            return
        check_vector_files(self.embeddings, self.embedding_ids, exist=False)
        if entities != "items":
            raise ConfigError(
                "--data.indexer.embeddings gives item vectors only: set --data.indexer.entities items"
            )

    def check_inputs(self) -> None:
        if self.embeddings is not None:
            check_vector_files(self.embeddings, self.embedding_ids)

    def config(self) -> dict:
        cfg = super().config()
        if self.embeddings is None:  # learned embeddings: the same cache key as before the option
            cfg.pop("embeddings", None)
            cfg.pop("embedding_ids", None)
        else:
            cfg["embeddings_digest"] = file_digest(self.embeddings, self.embedding_ids)
        return cfg

    def file_vectors(self) -> np.ndarray:
        """(n_items, dim) vectors of the catalogue, in item-index order."""
        if getattr(self, "item_ids", None) is None:
            raise ConfigError(
                "--data.indexer.embeddings: the indexer was fitted without the catalogue's item ids"
            )
        return read_item_vectors(self.embeddings, self.embedding_ids, self.item_ids)
