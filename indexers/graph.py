"""GCI, graph collaborative indexing (docs/method.md section 3.4): product-quantized collaborative embeddings.

Each L2-normalized embedding is cut into `n_levels` sub-vectors and each sub-vector is clustered
on its own, so level j's token says which region of the j-th sub-space the entity falls in. The
levels are independent views, not a hierarchy: items sharing a first token agree on the first
sub-vector only. `rq` is the hierarchical alternative.
"""

from __future__ import annotations

import numpy as np

from datamodules.interactions import Sequences
from indexers.base import Indexer
from indexers.collaborative import (
    METHODS,
    collaborative_embeddings,
    kmeans_labels,
    normalized,
    quantized_codes,
)
from indexers.item_vectors import QuantisesItemVectors
from kitbase.errors import ConfigError

ENTITIES = ("co", "items")


class GraphIndexer(QuantisesItemVectors, Indexer):
    """KMeans on each of `n_levels` sub-vectors of BPR or LightGCN embeddings.

    Code = one label per level plus a disambiguation token (always), so every code has
    `n_levels` + 1 tokens; users and items without training interactions share the extra first
    label `codebook_size` and are numbered after it.

    Args:
        n_levels: L, sub-vectors per embedding and labels per code; must divide `dim`.
        codebook_size: K, KMeans clusters per level. K^L cells should comfortably exceed the
            number of entities, so that the labels carry the identity and few entities need
            a non-zero disambiguation token (docs/method.md section 9 has the measured share).
        dim: embedding dimension.
        encoder: `bpr` or `lightgcn` (BPR embeddings propagated over the training graph).
        epochs: BPR training epochs.
        entities: `co` fits each level's KMeans on users and items together, so users get codes
            in the items' space; `items` codes items only (users get `user_tokens`).
        embeddings: quantize these item vectors instead of learning BPR/LightGCN ones: a
            Parquet file (columns `item`, `embedding`) or a `.npy` array with `embedding_ids`,
            keyed by the original item ids (see `indexers.item_vectors`). Needs `entities: items`;
            `dim`, `encoder` and `epochs` are then unused.
        embedding_ids: the id of each row of an `.npy` `embeddings` file, one per line.
    """

    name = "gci"

    def __init__(
        self,
        n_levels: int = 4,
        codebook_size: int = 32,
        dim: int = 64,
        encoder: str = "bpr",
        epochs: int = 20,
        entities: str = "co",
        embeddings: str | None = None,
        embedding_ids: str | None = None,
        seed: int = 0,
        user_tokens: str = "atomic",
    ) -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        check_quantizer(n_levels, codebook_size, encoder, entities)
        self.embeddings, self.embedding_ids = embeddings, embedding_ids
        self.check_vectors(entities)
        if dim % n_levels:
            raise ConfigError(
                f"--data.indexer.n_levels must divide dim={dim} into equal sub-vectors, "
                f"got {n_levels}"
            )
        self.n_levels = n_levels
        self.codebook_size = codebook_size
        self.dim = dim
        self.encoder = encoder
        self.epochs = epochs
        self.entities = entities

    def encode(self, train: Sequences) -> tuple[np.ndarray, np.ndarray | None]:
        if self.embeddings is not None:
            emb = normalized(self.file_vectors())
            warm = np.ones(len(emb), dtype=bool)  # a file's vectors are signal, trained-on or not
        else:
            emb, warm = embedding_table(train, self.entities, self.dim, self.encoder, self.epochs, self.seed)
        labels = np.stack(
            [
                kmeans_labels(part, self.codebook_size, seed=self.seed + level)
                for level, part in enumerate(np.split(emb[warm], self.n_levels, axis=1))
            ],
            axis=1,
        )
        return split_codes(labels, warm, self.codebook_size, train.n_users, self.entities)


def check_quantizer(n_levels: int, codebook_size: int, encoder: str, entities: str) -> None:
    """Raise ConfigError for impossible options of an embedding quantizer (gci, rq)."""
    if n_levels < 1:
        raise ConfigError(f"--data.indexer.n_levels must be positive, got {n_levels}")
    if codebook_size < 2:
        raise ConfigError(f"--data.indexer.codebook_size must be at least 2, got {codebook_size}")
    if encoder not in METHODS:
        raise ConfigError(f"--data.indexer.encoder must be one of {METHODS}, got {encoder!r}")
    if entities not in ENTITIES:
        raise ConfigError(f"--data.indexer.entities must be one of {ENTITIES}, got {entities!r}")


def embedding_table(
    train: Sequences, entities: str, dim: int, encoder: str, epochs: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows to quantize (users then items in co-indexing, else items) and which have a signal:
    ((n_rows, dim) float32, (n_rows,) bool)."""
    user_emb, item_emb = collaborative_embeddings(train, dim, encoder, epochs, seed)
    emb = np.concatenate([user_emb, item_emb]) if entities == "co" else item_emb
    return emb, np.linalg.norm(emb, axis=1) > 0


def split_codes(
    labels: np.ndarray, warm: np.ndarray, codebook_size: int, n_users: int, entities: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """(item_codes, user_codes or None) from the labels of the warm rows of the embedding table
    (users then items in co-indexing), each table disambiguated on its own."""
    if entities != "co":
        return quantized_codes(labels, warm, codebook_size, codebook_size), None
    warm_users = int(warm[:n_users].sum())
    users = quantized_codes(labels[:warm_users], warm[:n_users], codebook_size, codebook_size)
    items = quantized_codes(labels[warm_users:], warm[n_users:], codebook_size, codebook_size)
    return items, users
