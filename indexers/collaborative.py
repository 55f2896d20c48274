"""Collaborative embeddings of users and items, and the KMeans that quantizes them.

GCI and RQ both turn these embeddings into codes; SCI reuses `kmeans_labels` for its splits.
Everything here reads training interactions only and is deterministic for a seed.

BPR (Rendle et al. 2009) is trained with row-wise sparse updates, so a step touches only the
rows in its batch and an epoch costs O(interactions), not O(users + items). `lightgcn`
propagates the trained BPR embeddings over the normalized user-item graph (He et al. 2020's
layer average) without training through the propagation: it smooths each embedding towards its
neighbours for the cost of a few sparse products, where end-to-end LightGCN would pay them at
every step. Its measured effect is in docs/method.md section 9.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from datamodules.interactions import Sequences
from datamodules.item_index import PAD
from datamodules.progress import report
from indexers.base import append_disambiguation, digit_codes
from kitbase.errors import ConfigError

METHODS = ("bpr", "lightgcn")
KMEANS_FIT_POINTS = 100_000  # KMeans fits on a sample of this many points, then labels all
KMEANS_INITS = 1  # more restarts cost more and did not pay (docs/method.md section 9)


def collaborative_embeddings(
    train: Sequences,
    dim: int = 64,
    method: str = "bpr",
    epochs: int = 20,
    seed: int = 0,
    layers: int = 3,
    batch_size: int = 8192,
    lr: float = 0.05,
    weight_decay: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """User and item embeddings, float32, rows L2-normalized: ((n_users, dim), (n_items, dim)).

    A user or item with no training interaction gets a zero row: it has no collaborative
    signal, and a zero row lets callers see that instead of trusting a random vector.
    `layers` is used by `lightgcn` only.
    """
    if method not in METHODS:
        raise ConfigError(f"--data.indexer.encoder must be one of {METHODS}, got {method!r}")
    user_emb, item_emb = train_bpr(train, dim, epochs, seed, batch_size, lr, weight_decay)
    if method == "lightgcn":
        user_emb, item_emb = propagate(train, user_emb, item_emb, layers)
    user_emb[train.lengths == 0] = 0.0
    item_emb[np.bincount(train.items, minlength=train.n_items) == 0] = 0.0
    return normalized(user_emb), normalized(item_emb)


def train_bpr(
    train: Sequences,
    dim: int,
    epochs: int,
    seed: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
) -> tuple[np.ndarray, np.ndarray]:
    """BPR matrix factorization with one uniformly sampled negative item per interaction.

    Gradients are written out by hand and applied with row-wise Adagrad (one accumulator per
    embedding row): a step then touches only its batch's rows, with no autograd graph and no
    optimizer state the size of the tables. One thread: batches this small lose more to thread
    synchronization than they gain, dramatically so when other processes share the cores.
    Rows are gathered with `index_select` and written back with `scatter_add_`, which on CPU
    run several times faster than advanced indexing and `index_add_` (docs/method.md section 9).
    """
    gen = torch.Generator().manual_seed(seed)
    users = torch.from_numpy(train.users())
    items = torch.from_numpy(train.items)
    user_w = 0.1 * torch.randn(train.n_users, dim, generator=gen)
    item_w = 0.1 * torch.randn(train.n_items, dim, generator=gen)
    user_acc = torch.zeros(train.n_users)
    item_acc = torch.zeros(train.n_items)
    tables = ((user_w, user_acc), (item_w, item_acc), (item_w, item_acc))  # user, positive, negative
    n = len(items)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for epoch in range(epochs if n else 0):
            report(f"BPR epoch {epoch + 1}/{epochs}")
            order = torch.randperm(n, generator=gen)
            negatives = torch.randint(train.n_items, (n,), generator=gen)
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                rows = tuple(ids.index_select(0, batch) for ids in (users, items, negatives))
                u, pos, neg = (w.index_select(0, r) for (w, _), r in zip(tables, rows, strict=True))
                diff = pos - neg
                # d(-log sigmoid(margin))/d(margin) = -sigmoid(-margin)
                g = torch.sigmoid(-(u * diff).sum(dim=1, keepdim=True))
                grads = (
                    (weight_decay * u).addcmul_(g, diff, value=-1),
                    (weight_decay * pos).addcmul_(g, u, value=-1),
                    (weight_decay * neg).addcmul_(g, u),
                )
                for idx, grad, (table, acc) in zip(rows, grads, tables, strict=True):
                    acc.scatter_add_(0, idx, grad.square().mean(dim=1))
                    step = acc.index_select(0, idx).sqrt_().add_(1e-8).reciprocal_().mul_(-lr)
                    table.scatter_add_(0, idx[:, None].expand(-1, dim), grad.mul_(step[:, None]))
    finally:
        torch.set_num_threads(threads)
    return user_w.numpy(), item_w.numpy()


def propagate(
    train: Sequences, user_emb: np.ndarray, item_emb: np.ndarray, layers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Average of `layers` + 1 LightGCN propagations over D^-1/2 [[0, B], [B^T, 0]] D^-1/2."""
    b = train.user_item_matrix()
    b.data[:] = 1.0
    du = np.asarray(b.sum(axis=1)).ravel()
    di = np.asarray(b.sum(axis=0)).ravel()
    inv_u = np.where(du > 0, 1.0 / np.sqrt(np.maximum(du, 1)), 0.0).astype(np.float32)
    inv_i = np.where(di > 0, 1.0 / np.sqrt(np.maximum(di, 1)), 0.0).astype(np.float32)
    norm = sp.diags(inv_u) @ b @ sp.diags(inv_i)
    norm_t = norm.T.tocsr()
    eu, ei = user_emb, item_emb
    sum_u, sum_i = eu.copy(), ei.copy()
    for _ in range(layers):
        eu, ei = norm @ ei, norm_t @ eu
        sum_u += eu
        sum_i += ei
    return sum_u / (layers + 1), sum_i / (layers + 1)


def normalized(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


@functools.cache
def _thread_pools() -> ThreadpoolController:
    # Finding the loaded BLAS and OpenMP libraries reads /proc/self/maps: 1.4 ms a time, which
    # SCI's ten thousand splits of a million-item catalogue paid twice each.
    return ThreadpoolController()


def one_thread():
    """A context in which BLAS and OpenMP (KMeans, LAPACK) run on one thread."""
    return _thread_pools().limit(limits=1)


def kmeans_labels(x: np.ndarray, k: int, seed: int, init_trials: int | None = None) -> np.ndarray:
    """KMeans labels (n,) of the rows of x, in at most k clusters.

    Centroids are fitted on a seeded sample of at most KMEANS_FIT_POINTS rows: a million-row
    KMeans would cost minutes for centroids that a sample already pins down. `init_trials`:
    candidates tried per k-means++ seed centroid; None keeps scikit-learn's greedy default
    (2 + log k), which costs as much as the Lloyd iterations on SCI's small splits.
    """
    n = len(x)
    k = min(k, n)
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    fit = x
    if n > KMEANS_FIT_POINTS:
        fit = x[np.sort(rng.choice(n, KMEANS_FIT_POINTS, replace=False))]
    init = "k-means++"
    if init_trials is not None:
        init = functools.partial(_kmeans_plusplus_centroids, n_local_trials=init_trials)
    km = KMeans(n_clusters=k, init=init, n_init=KMEANS_INITS, random_state=seed)
    report(f"KMeans, {k} clusters of {len(fit):,} points")
    # One thread: KMeans's OpenMP threads spin-wait between short iterations, which stalls them
    # whenever another process shares the cores (docs/method.md section 9).
    with warnings.catch_warnings(), one_thread():
        # Fewer distinct points than k is legitimate here (duplicated embeddings); the labels
        # are still a valid partition.
        warnings.simplefilter("ignore", ConvergenceWarning)
        km.fit(fit)
    labels = km.labels_ if fit is x else km.predict(x)
    return labels.astype(np.int64)


def _kmeans_plusplus_centroids(x: np.ndarray, k: int, random_state, n_local_trials: int) -> np.ndarray:
    """KMeans's `init` callable: k-means++ seeds (k, dim) with `n_local_trials` candidates each."""
    return kmeans_plusplus(x, k, random_state=random_state, n_local_trials=n_local_trials)[0]


def quantized_codes(prefix: np.ndarray, warm: np.ndarray, cold_label: int, base: int) -> np.ndarray:
    """Codes of all entities from the cluster labels (n_warm, L) of those with a signal.

    Entities without training interactions (`~warm`) cannot be placed by their embedding; they
    share the first token `cold_label` and are numbered after it in base `base`. Every code then
    ends with a disambiguation token, so codes are unique.
    """
    n_cold = int((~warm).sum())
    cold = np.concatenate(
        [np.full((n_cold, 1), cold_label, dtype=np.int64), digit_codes(np.arange(n_cold), base)],
        axis=1,
    )
    width = max(prefix.shape[1], cold.shape[1])
    codes = np.full((len(warm), width), PAD, dtype=np.int64)
    codes[warm, : prefix.shape[1]] = prefix
    codes[~warm, : cold.shape[1]] = cold
    return append_disambiguation(codes, always=True)
