"""RQ, residual quantization of collaborative embeddings: a coarse-to-fine code.

Level 1 clusters the embeddings; each later level clusters what the previous centroids left
unexplained (the residuals). Unlike GCI's independent sub-vectors, a shared prefix here means
nearby embeddings, which is what a prefix tree and beam search reward. The whole indexer is
this file plus one line in `registry.py`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from datamodules.interactions import Sequences
from indexers.base import Indexer
from indexers.collaborative import kmeans_labels, normalized
from indexers.graph import check_quantizer, embedding_table, split_codes
from indexers.item_vectors import QuantisesItemVectors


class ResidualIndexer(QuantisesItemVectors, Indexer):
    """Residual KMeans over BPR or LightGCN embeddings; code = level labels + disambiguation.

    Args:
        n_levels: quantization levels, one label each.
        codebook_size: KMeans clusters per level; codebook_size^n_levels cells should exceed
            the number of items, so that few need a non-zero disambiguation token
            (docs/method.md section 9 has the measured share).
        dim: embedding dimension.
        encoder: `bpr` or `lightgcn`.
        epochs: BPR training epochs.
        entities: `co` quantizes users and items with shared codebooks; `items` items only.
        embeddings: quantize these item vectors instead of learning BPR/LightGCN ones: a
            Parquet file (columns `item`, `embedding`) or a `.npy` array with `embedding_ids`,
            keyed by the original item ids (see `indexers.item_vectors`). Needs `entities: items`;
            `dim`, `encoder` and `epochs` are then unused.
        embedding_ids: the id of each row of an `.npy` `embeddings` file, one per line.
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
        embeddings: str | None = None,
        embedding_ids: str | None = None,
        seed: int = 0,
        user_tokens: str = "atomic",
    ) -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        check_quantizer(n_levels, codebook_size, encoder, entities)
        self.embeddings, self.embedding_ids = embeddings, embedding_ids
        self.check_vectors(entities)
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
