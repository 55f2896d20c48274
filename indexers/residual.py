"""RQ, residual quantization of collaborative embeddings: a coarse-to-fine code.

Level 1 clusters the embeddings; each later level clusters what the previous centroids left
unexplained (the residuals). Unlike GCI's independent sub-vectors, a shared prefix here means
nearby embeddings, which is what a prefix tree and beam search reward. The whole indexer is
this file plus one line in `registry.py`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from datamodules.errors import ConfigError
from datamodules.interactions import Sequences
from indexers.base import Indexer
from indexers.collaborative import METHODS, collaborative_embeddings, kmeans_labels
from indexers.graph import ENTITIES, split_codes


class ResidualIndexer(Indexer):
    """Residual KMeans over BPR or LightGCN embeddings; code = level labels + disambiguation.

    Args:
        n_levels: quantization levels, one label each.
        codebook_size: KMeans clusters per level; 64^3 cells leave Beauty's items almost all
            distinct before the disambiguation token.
        dim: embedding dimension.
        encoder: `bpr` or `lightgcn`.
        epochs: BPR training epochs.
        entities: `co` quantizes users and items with shared codebooks; `items` items only.
    """

    name = "rq"

    def __init__(
        self,
        n_levels: int = 3,
        codebook_size: int = 64,
        dim: int = 64,
        encoder: str = "bpr",
        epochs: int = 20,
        entities: str = "co",
        seed: int = 0,
        user_tokens: str = "atomic",
    ) -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        if n_levels < 1:
            raise ConfigError(f"--data.indexer.n_levels must be positive, got {n_levels}")
        if codebook_size < 2:
            raise ConfigError(f"--data.indexer.codebook_size must be at least 2, got {codebook_size}")
        if encoder not in METHODS:
            raise ConfigError(f"--data.indexer.encoder must be one of {METHODS}, got {encoder!r}")
        if entities not in ENTITIES:
            raise ConfigError(f"--data.indexer.entities must be one of {ENTITIES}, got {entities!r}")
        self.n_levels = n_levels
        self.codebook_size = codebook_size
        self.dim = dim
        self.encoder = encoder
        self.epochs = epochs
        self.entities = entities

    def encode(self, train: Sequences) -> tuple[np.ndarray, np.ndarray | None]:
        user_emb, item_emb = collaborative_embeddings(
            train, self.dim, self.encoder, self.epochs, self.seed
        )
        emb = np.concatenate([user_emb, item_emb]) if self.entities == "co" else item_emb
        warm = np.linalg.norm(emb, axis=1) > 0
        residual = emb[warm].astype(np.float64)
        labels = np.empty((len(residual), self.n_levels), dtype=np.int64)
        for level in range(self.n_levels):
            labels[:, level] = kmeans_labels(residual, self.codebook_size, seed=self.seed + level)
            centroids = _centroids(residual, labels[:, level], self.codebook_size)
            residual = residual - centroids[labels[:, level]]
        return split_codes(labels, warm, self.codebook_size, train.n_users, self.entities)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, dim) mean of each label's rows: the exact centroids of the final assignment, which
    differ from KMeans's own when it was fitted on a sample."""
    member = sp.csr_matrix((np.ones(len(x)), (labels, np.arange(len(x)))), shape=(k, len(x)))
    return (member @ x) / np.maximum(np.bincount(labels, minlength=k), 1)[:, None]
