"""SCI, spectral collaborative indexing (docs/method.md section 3.3): codes are paths in a cluster tree.

The affinity graph comes from training interactions only (docs/method.md section 8, bug 1) and
is never formed, let alone dense (section 8, bug 3): with B the binary user-item matrix and R the
interaction counts,

    user-user  UU = B B^T - diag   (items both users bought)
    item-item  II = B^T B - diag   (users who bought both items, at any distance in a sequence)
    user-item  UI = R              (interaction counts)

and every product with the co-indexing block matrix [[UU, UI], [UI^T, II]] is computed from the
factors, which costs O(interactions) per vector whatever the popularity skew (a popular item's
buyers would make UU quadratic in its degree). These counts are symmetric sums by construction,
not the public code's min of two directed counts (docs/method.md section 8, bug 3).

The blocks live on different scales (UU outweighs UI many times over: measured in
docs/method.md section 9), so users and items would separate before anything else and
co-indexing would not share codes across them.
Each block is therefore scaled to carry the same total weight (a third each in co-indexing).

Eigensolver: Lanczos (`eigsh`) up to SUBSPACE_LIMIT nodes, which covers every split of Beauty and
Toys and of catalogues up to 100k items, so their codes are unchanged. Above it (the top split of
a million-item catalogue: 3M co-indexing nodes) Lanczos needs thousands of products to resolve 50
eigenvalues to 1e-4 among hundreds of near-equal ones, and ARPACK gave up (`No shifts could be
applied`; docs/method.md section 9); there a randomized block subspace iteration in float32 finds the
dominant subspace in a fixed number of block products, which is all the k-means step needs:
clusters are read from the span of the leading eigenvectors, not from each vector apart. The
block products go through Chebyshev filters (Zhou & Saad 2007), which separate the leading
eigenvalues from the hundreds crowding just below them in fewer products than plain powers.
How many products is a measured setting, not a convergence test: on the synthetic catalogues a
partly converged subspace gave codes of higher collaborative coherence than Lanczos's converged
eigenvectors (docs/method.md section 9).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from datamodules.interactions import Sequences
from datamodules.item_index import PAD
from datamodules.progress import report
from indexers.base import Indexer, append_disambiguation
from indexers.collaborative import kmeans_labels, one_thread
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError

ENTITIES = ("co", "items", "users")
SOLVERS = ("auto", "lanczos", "subspace")
DENSE_LIMIT = 1000  # below this many nodes a dense eigensolver beats Lanczos
# Regularized spectral clustering (Amini et al. 2013; Qin & Rohe 2013): a weak edge of total
# weight REGULARIZATION * mean degree spread over all pairs keeps sparse subgraphs connected,
# so no eigenvalue of 1 is repeated per component and nodes cut off inside a cluster still embed.
REGULARIZATION = 0.1
SUBSPACE_LIMIT = 500_000  # above this many nodes (1M items: 3M at the top), subspace iteration
SUBSPACE_PRODUCTS = 8  # block products of the filtered subspace iteration (before Rayleigh-Ritz)
SUBSPACE_WARMUP = 2  # plain power steps before the first Ritz values bound the filter
CHEBYSHEV_DEGREE = 3  # block products per filter, between two Rayleigh-Ritz steps
PARALLEL_LIMIT = 100_000  # subspace splits above this many nodes run their products on threads
ROW_BLOCKS = 2  # row blocks (and threads) of those products: the two cores of the target machine
SUBSPACE_OVERSAMPLE = 10  # extra vectors carried beyond k (Halko, Martinsson & Tropp 2011)


@dataclass(frozen=True)
class AffinityGraph:
    """The training affinity, kept as sparse factors; node order is users, then items.

    `n_user_nodes` / `n_item_nodes` are 0 for an entity left out of the graph. Weights scale
    each block (see the module docstring); a weight of 0 drops the block.
    """

    binary: sp.csr_matrix  # (n_users, n_items) B, 1 where a user bought an item
    binary_t: sp.csr_matrix  # (n_items, n_users) B^T, stored row-major for row slicing
    counts: sp.csr_matrix  # (n_users, n_items) R, interaction counts
    n_user_nodes: int
    n_item_nodes: int
    w_uu: float
    w_ii: float
    w_ui: float

    @property
    def n_nodes(self) -> int:
        return self.n_user_nodes + self.n_item_nodes

    def subgraph(self, nodes: np.ndarray, dtype: type = np.float64, row_blocks: int = 1) -> SubAffinity:
        """The affinity restricted to `nodes` (sorted node numbers), as an operator."""
        split = np.searchsorted(nodes, self.n_user_nodes)
        users, items = nodes[:split], nodes[split:] - self.n_user_nodes
        return SubAffinity(self, users, items, dtype, row_blocks)

    def dense(self) -> np.ndarray:
        """The whole matrix as a dense array; for tests and tiny graphs only."""
        return self.subgraph(np.arange(self.n_nodes)).dense()


class SubAffinity:
    """Products with A[S, S]; user-user and item-item overlaps still count items and users
    outside S, exactly as slicing the full matrix would. `dtype` is that of the factors (their
    entries are small integers, exact in float32) and of the products; with `row_blocks` > 1
    the factors' products run on that many threads (`RowBlocks`)."""

    def __init__(
        self,
        graph: AffinityGraph,
        users: np.ndarray,
        items: np.ndarray,
        dtype: type = np.float64,
        row_blocks: int = 1,
    ) -> None:
        self.n_users, self.n = len(users), len(users) + len(items)
        g = graph
        self.w_uu = g.w_uu if len(users) else 0.0
        self.w_ii = g.w_ii if len(items) else 0.0
        self.w_ui = g.w_ui if len(users) and len(items) else 0.0
        self.dtype = dtype
        if self.w_uu:
            self.bu = drop_empty_columns(g.binary[users].astype(dtype))
            self.bu_diag = np.diff(self.bu.indptr).astype(dtype)
        if self.w_ii:
            self.bi = drop_empty_columns(g.binary_t[items].astype(dtype))
            self.bi_diag = np.diff(self.bi.indptr).astype(dtype)
        if self.w_ui:
            self.ui = g.counts[users][:, items].astype(dtype)
        self.factors = {
            name: RowBlocks(getattr(self, name), row_blocks)
            for name in ("bu", "bi", "ui")
            if row_blocks > 1 and hasattr(self, name)
        }

    def _mul(self, name: str, x: np.ndarray) -> np.ndarray:
        blocks = self.factors.get(name)
        return blocks.matmul(x) if blocks else getattr(self, name) @ x

    def _mul_t(self, name: str, x: np.ndarray) -> np.ndarray:
        blocks = self.factors.get(name)
        return blocks.matmul_t(x) if blocks else getattr(self, name).T @ x

    def matmat(self, x: np.ndarray) -> np.ndarray:
        """A[S, S] @ x for x of shape (n, k)."""
        nu = self.n_users
        out = np.zeros_like(x)
        xu, xi = x[:nu], x[nu:]
        if self.w_uu:
            out[:nu] = self.w_uu * (self._mul("bu", self._mul_t("bu", xu)) - self.bu_diag[:, None] * xu)
        if self.w_ii:
            out[nu:] = self.w_ii * (self._mul("bi", self._mul_t("bi", xi)) - self.bi_diag[:, None] * xi)
        if self.w_ui:
            out[:nu] += self.w_ui * self._mul("ui", xi)
            out[nu:] += self.w_ui * self._mul_t("ui", xu)
        return out

    def dense(self) -> np.ndarray:
        nu = self.n_users
        a = np.zeros((self.n, self.n))
        if self.w_uu:
            a[:nu, :nu] = self.w_uu * (self.bu @ self.bu.T).toarray()
        if self.w_ii:
            a[nu:, nu:] = self.w_ii * (self.bi @ self.bi.T).toarray()
        if self.w_ui:
            ui = self.w_ui * self.ui.toarray()
            a[:nu, nu:] = ui
            a[nu:, :nu] = ui.T
        np.fill_diagonal(a, 0.0)
        return a


class RowBlocks:
    """A sparse matrix (r, c) cut into `n` row blocks whose products run on threads (scipy's
    sparse kernels release the GIL), for the few splits big enough to pay for it.

    `matmul` stacks the blocks' products, which is exact; `matmul_t` adds the blocks' partial
    products in block order, which rounds differently from one product, but the same way on any
    number of cores.
    """

    def __init__(self, m: sp.csr_matrix, n: int) -> None:
        self.bounds = np.linspace(0, m.shape[0], n + 1).astype(np.int64)
        self.blocks = [m[lo:hi] for lo, hi in zip(self.bounds[:-1], self.bounds[1:])]

    def matmul(self, x: np.ndarray) -> np.ndarray:
        """m @ x: (r, k) for x (c, k)."""
        return np.concatenate(list(_thread_pool().map(lambda b: b @ x, self.blocks)))

    def matmul_t(self, x: np.ndarray) -> np.ndarray:
        """m.T @ x: (c, k) for x (r, k)."""
        rows = [x[lo:hi] for lo, hi in zip(self.bounds[:-1], self.bounds[1:])]
        return functools.reduce(np.add, _thread_pool().map(lambda b, xb: b.T @ xb, self.blocks, rows))


@functools.cache
def _thread_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=ROW_BLOCKS)


def drop_empty_columns(m: sp.csr_matrix) -> sp.csr_matrix:
    """`m` (rows, cols) without its all-zero columns: (rows, distinct columns used).

    The overlap factors of a subgraph keep every column of the full graph (a million items at
    the top of a million-item catalogue), so each product `m.T @ x` would write a dense
    (cols, k) block however few of them the subgraph touches; the thousands of small splits
    deep in the tree then cost O(catalogue) per product. Dropping empty columns keeps
    `m @ (m.T @ x)` exact, with the same order of additions (column numbers stay ordered).
    """
    used, position = np.unique(m.indices, return_inverse=True)
    return sp.csr_matrix((m.data, position.reshape(-1), m.indptr), shape=(m.shape[0], len(used)))


def affinity_graph(train: Sequences, entities: str = "co") -> AffinityGraph:
    """Build the training affinity graph for `entities` ("co", "items" or "users")."""
    if entities not in ENTITIES:
        raise ConfigError(f"--data.indexer.entities must be one of {ENTITIES}, got {entities!r}")
    counts = train.user_item_matrix().astype(np.float64)
    binary = counts.copy()
    binary.data[:] = 1.0
    item_deg = np.diff(binary.tocsc().indptr).astype(np.float64)
    user_deg = np.diff(binary.indptr).astype(np.float64)
    # Total weight of each block: sum(B B^T) - trace = sum of squared item degrees - nnz.
    mass_uu = float(item_deg @ item_deg) - binary.nnz
    mass_ii = float(user_deg @ user_deg) - binary.nnz
    mass_ui = 2.0 * float(counts.sum())
    use_users, use_items = entities in ("co", "users"), entities in ("co", "items")
    masses = {
        "uu": mass_uu if use_users else 0.0,
        "ii": mass_ii if use_items else 0.0,
        "ui": mass_ui if entities == "co" else 0.0,
    }
    n_nodes = train.n_users * use_users + train.n_items * use_items
    live = sum(m > 0 for m in masses.values())
    # Each present block carries an equal share of a total weight of n_nodes (mean degree 1).
    w = {k: n_nodes / (live * m) if m > 0 else 0.0 for k, m in masses.items()}
    return AffinityGraph(
        binary=binary,
        binary_t=binary.T.tocsr(),
        counts=counts,
        n_user_nodes=train.n_users if use_users else 0,
        n_item_nodes=train.n_items if use_items else 0,
        w_uu=w["uu"],
        w_ii=w["ii"],
        w_ui=w["ui"],
    )


def spectral_embedding(
    sub: SubAffinity, k: int, rng: np.random.Generator, solver: str = "lanczos"
) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors of the k smallest eigenvalues of the
    regularized symmetric normalized Laplacian L = I - D^-1/2 (A + tau/n) D^-1/2.

    Computed as the k largest of the normalized adjacency: dense `eigh` for small subgraphs,
    else Lanczos on the matrix-free operator (`solver` "lanczos") or randomized subspace
    iteration ("subspace", `sub` best in float32), which is also used above SUBSPACE_LIMIT
    nodes whatever `solver` says. Returns ((k,), (n, k)).
    """
    n = sub.n
    ones = np.ones((n, 1), dtype=sub.dtype)
    degree = sub.matmat(ones)[:, 0]
    tau = REGULARIZATION * max(float(degree.mean()), 1e-12)
    d_isqrt = (1.0 / np.sqrt(degree.astype(np.float64) + tau)).astype(sub.dtype)
    if n <= DENSE_LIMIT:
        a = sub.dense() + tau / n
        a *= d_isqrt[:, None] * d_isqrt[None, :]
        try:
            vals, vecs = la.eigh(a, subset_by_index=[n - k, n - 1])
        except la.LinAlgError:
            # LAPACK's MRRR driver (dsyevr) occasionally fails on clustered eigenvalues;
            # the full divide-and-conquer solver does not.
            vals, vecs = la.eigh(a, driver="evd")
            vals, vecs = vals[n - k :], vecs[:, n - k :]
    else:

        def normalized(x: np.ndarray) -> np.ndarray:
            y = x.reshape(n, -1) * d_isqrt[:, None]
            ay = sub.matmat(y) + (tau / n) * y.sum(axis=0, keepdims=True)
            return (ay * d_isqrt[:, None]).reshape(x.shape)

        if uses_subspace(n, solver):
            vals, vecs = subspace_iteration(normalized, n, k, rng, sub.dtype)
        else:
            op = spla.LinearOperator((n, n), matvec=normalized, matmat=normalized, dtype=np.float64)
            vals, vecs = spla.eigsh(op, k=k, which="LA", v0=rng.standard_normal(n), tol=1e-4)
    order = np.argsort(-vals, kind="stable")
    return 1.0 - vals[order], vecs[:, order]


def uses_subspace(n_nodes: int, solver: str) -> bool:
    """Whether a sparse split of `n_nodes` is solved by subspace iteration: when `solver` says
    so, and always above SUBSPACE_LIMIT nodes, where ARPACK fails."""
    return solver == "subspace" or n_nodes > SUBSPACE_LIMIT


def subspace_iteration(
    matmat, n: int, k: int, rng: np.random.Generator, dtype: type = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """k leading eigenpairs of a symmetric operator with spectrum in [-1, 1] (the normalized
    adjacency), by randomized block subspace iteration with Chebyshev filtering and
    Rayleigh-Ritz steps.

    A few power steps on A + I (spectrum in [0, 2], so the eigenvalues near -1 that a bipartite
    user-item block brings cannot take over) give a first block. Then, until SUBSPACE_PRODUCTS
    products are spent: Rayleigh-Ritz, and a Chebyshev polynomial of degree CHEBYSHEV_DEGREE
    mapping [-1, c] onto [-1, 1], c the block's smallest Ritz value. The polynomial stays within
    [-1, 1] on the eigenvalues below c and grows like cosh(degree * acosh(x)) above it, so
    eigenvalues barely above c, which plain powers separate by a factor (1 + l) / (1 + c) per
    product, are amplified far more. Returns ((k,), (n, k)) Ritz values and vectors of A.
    """
    block = min(n, k + SUBSPACE_OVERSAMPLE)
    q = orthonormalized(rng.standard_normal((n, block)).astype(dtype))
    for _ in range(SUBSPACE_WARMUP):
        z = matmat(q)
        z += q
        q = orthonormalized(z)
    products = SUBSPACE_WARMUP
    while True:
        aq = matmat(q)
        products += 1
        vals, q, aq = rayleigh_ritz(q, aq)
        if products > SUBSPACE_PRODUCTS:
            return vals[-k:], q[:, -k:].astype(np.float64)
        degree = min(CHEBYSHEV_DEGREE, SUBSPACE_PRODUCTS - products + 1)
        q = orthonormalized(orthonormalized(chebyshev_filter(matmat, q, aq, float(vals[0]), degree)))
        products += degree - 1


def rayleigh_ritz(q: np.ndarray, aq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ritz values (b,) ascending, and the block q (n, b) and its product aq = A q (n, b) both
    rotated onto the Ritz vectors; the (b, b) projected matrix is solved in float64."""
    h = q.T.astype(np.float64) @ aq.astype(np.float64)
    vals, w = np.linalg.eigh((h + h.T) / 2)
    w = w.astype(q.dtype)
    return vals, q @ w, aq @ w


def chebyshev_filter(matmat, q: np.ndarray, aq: np.ndarray, cutoff: float, degree: int) -> np.ndarray:
    """T_degree((A - e) / r) q for the interval [-1, cutoff] = [e - r, e + r], by the three-term
    recurrence y_{j+1} = 2 (A - e) y_j / r - y_{j-1}; aq = A q saves the first product, so it
    costs degree - 1 products, and aq is overwritten. q, aq (n, b) -> (n, b), not normalized."""
    e, r = (cutoff - 1.0) / 2, (cutoff + 1.0) / 2
    previous, current = q, aq
    current -= e * q
    current /= r
    for _ in range(degree - 1):
        following = matmat(current)
        following -= e * current
        following *= 2.0 / r
        following -= previous
        previous, current = current, following
    return current


def orthonormalized(z: np.ndarray) -> np.ndarray:
    """An orthonormal basis (n, b) of the columns of z (n, b), by Cholesky QR: z R^-1 with R the
    Cholesky factor of the (b, b) Gram matrix (factored in float64).

    Two matrix products instead of Householder QR's column-by-column sweeps, several times
    faster on the tall blocks of a million-node graph. It loses orthogonality only for an
    ill-conditioned z, which (A + I) times an orthonormal block is not unless the graph has
    many near-bipartite components; where the Gram matrix is not even numerically positive
    definite, Householder QR takes over. (The caller's final second pass restores
    orthogonality to rounding.)
    """
    gram = (z.T @ z).astype(np.float64)
    try:
        r = np.linalg.cholesky(gram).T  # upper triangular, z = q r
    except np.linalg.LinAlgError:
        return np.linalg.qr(z)[0]
    return np.ascontiguousarray(la.solve_triangular(r.astype(z.dtype), z.T, trans="T", check_finite=False).T)


def eigengap_n_clusters(laplacian_eigenvalues: np.ndarray) -> int:
    """Number of clusters k >= 2 after which the ascending Laplacian spectrum jumps most.

    A graph of k well-separated groups has k eigenvalues near 0 and then a large gap; the public
    code took the smallest gap instead (docs/method.md section 8, bug 7).
    """
    gaps = np.diff(np.asarray(laplacian_eigenvalues))
    if len(gaps) < 2:
        return 2
    return int(np.argmax(gaps[1:])) + 2  # gaps[j] follows eigenvalue j+1, so k = j + 1


class SpectralIndexer(Indexer):
    """Recursive spectral clustering of the training affinity graph; code = path of labels.

    Each node set is embedded with the first k eigenvectors of its normalized Laplacian
    (rows normalized, Ng-Jordan-Weiss) and split by KMeans; sets of more than
    `max_cluster_size` nodes are split again. Entities sharing a leaf get a disambiguation
    token; a leaf holding one entity of a kind needs none, so codes have variable length.
    Nodes with no edge (items never bought in training, for instance) have no collaborative
    signal: they form one extra top-level "isolated" cluster split by number order.

    Args:
        n_clusters: N, clusters per split (the most when `eigengap` chooses).
        max_cluster_size: M, the largest set left unsplit (a leaf).
        max_depth: most cluster labels in a path; a set at this depth is a leaf whatever its size.
        entities: `co` clusters users and items in one graph (the paper's CoUI) and gives both
            codes; `items` clusters the item graph (users get `user_tokens`); `users` clusters the
            user graph and numbers items like the sequential indexer, the ablation that isolates
            collaborative user codes.
        eigengap: choose the number of clusters of each split by the largest eigengap among the
            first `n_clusters` Laplacian eigenvalues, instead of always `n_clusters`.
        solver: eigensolver of the splits too large for a dense one. `lanczos` resolves each
            eigenvector (ARPACK `eigsh`, float64); `subspace` finds their span by randomized
            subspace iteration in float32, several times cheaper per split; `auto` takes
            `lanczos` for graphs of at most SUBSPACE_LIMIT nodes (every split of Beauty, Toys
            and a 100k-item catalogue, whose codes it leaves unchanged) and `subspace` above,
            where a million-item catalogue makes thousands of splits. Splits of more than
            SUBSPACE_LIMIT nodes always use `subspace` (ARPACK fails there).
        kmeans_init_trials: candidates per k-means++ seed centroid in each split's KMeans.
            None: 1 on graphs of more than SUBSPACE_LIMIT nodes, where a million-item
            catalogue's ten thousand small KMeans fits make a fifth of the fit and one trial
            saves about a tenth of it at no loss of coherence (docs/method.md section 9);
            scikit-learn's greedy default (2 + log n_clusters) below, so smaller catalogues
            keep the codes measured before.
    """

    name = "sci"

    def __init__(
        self,
        n_clusters: int = 50,
        max_cluster_size: int = 100,
        max_depth: int = 6,
        entities: str = "co",
        eigengap: bool = False,
        solver: str = "auto",
        kmeans_init_trials: int | None = None,
        seed: int = 0,
        user_tokens: str = "atomic",
    ) -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        if n_clusters < 2:
            raise ConfigError(f"--data.indexer.n_clusters must be at least 2, got {n_clusters}")
        if max_cluster_size < 1:
            raise ConfigError(
                f"--data.indexer.max_cluster_size must be positive, got {max_cluster_size}"
            )
        if max_depth < 1:
            raise ConfigError(f"--data.indexer.max_depth must be positive, got {max_depth}")
        if entities not in ENTITIES:
            raise ConfigError(
                f"--data.indexer.entities must be one of {ENTITIES}, got {entities!r}"
            )
        if solver not in SOLVERS:
            raise ConfigError(f"--data.indexer.solver must be one of {SOLVERS}, got {solver!r}")
        if kmeans_init_trials is not None and kmeans_init_trials < 1:
            raise ConfigError(
                f"--data.indexer.kmeans_init_trials must be positive, got {kmeans_init_trials}"
            )
        self.n_clusters = n_clusters
        self.kmeans_init_trials = kmeans_init_trials
        self.max_cluster_size = max_cluster_size
        self.max_depth = max_depth
        self.entities = entities
        self.eigengap = eigengap
        self.solver = solver

    def encode(self, train: Sequences) -> tuple[np.ndarray, np.ndarray | None]:
        graph = affinity_graph(train, self.entities)
        codes = append_leaf_tokens(self.cluster_paths(graph), graph.n_user_nodes)
        user_codes = codes[: graph.n_user_nodes] if graph.n_user_nodes else None
        if graph.n_item_nodes:
            item_codes = codes[graph.n_user_nodes :]
        else:
            item_codes = SequentialIndexer(seed=self.seed).encode(train)[0]
        return _trim(item_codes), None if user_codes is None else _trim(user_codes)

    def cluster_paths(self, graph: AffinityGraph) -> np.ndarray:
        """(n_nodes, max_depth) cluster labels of every node, PAD after its leaf."""
        n = graph.n_nodes
        rng = np.random.default_rng(self.seed)
        paths = np.full((n, self.max_depth), PAD, dtype=np.int64)
        all_nodes = np.arange(n)
        degree = graph.subgraph(all_nodes).matmat(np.ones((n, 1)))[:, 0]
        linked, isolated = all_nodes[degree > 0], all_nodes[degree <= 0]
        solver = self.solver
        if solver == "auto":
            solver = "subspace" if n > SUBSPACE_LIMIT else "lanczos"
        trials = self.kmeans_init_trials
        if trials is None and n > SUBSPACE_LIMIT:
            trials = 1
        top = self.split(graph, linked, rng, solver, trials) if len(linked) else np.zeros(0, dtype=np.int64)
        paths[linked, 0] = top
        paths[isolated, 0] = top.max() + 1 if len(top) else 0
        # Work list of (nodes, depth of their next label, whether they have graph edges).
        stack = [(linked[top == c], 1, True) for c in np.unique(top)[::-1]]
        if len(isolated):
            stack.append((isolated, 1, False))
        while stack:
            nodes, depth, has_graph = stack.pop()
            if len(nodes) <= self.max_cluster_size or depth >= self.max_depth:
                continue  # a leaf: append_leaf_tokens numbers its entities
            labels = self.split(graph, nodes, rng, solver, trials) if has_graph else self.chunks(len(nodes))
            paths[nodes, depth] = labels
            for c in np.unique(labels)[::-1]:
                stack.append((nodes[labels == c], depth + 1, has_graph))
        return paths

    def split(
        self,
        graph: AffinityGraph,
        nodes: np.ndarray,
        rng: np.random.Generator,
        solver: str,
        init_trials: int | None,
    ) -> np.ndarray:
        """Cluster labels 0..c-1 of `nodes`, by spectral clustering of their subgraph; `solver`
        is "lanczos" or "subspace", `init_trials` the KMeans seeding's (see the class docstring)."""
        if len(nodes) <= self.n_clusters:
            return np.arange(len(nodes))  # no fewer nodes than clusters: each its own
        k = min(self.n_clusters, len(nodes) - 1)
        report(f"eigensolver on {len(nodes):,} nodes")
        # Lanczos and small dense solvers are memory-bound BLAS-2 work: extra threads only
        # spin-wait, at a large cost when other processes share the cores.
        subspace = uses_subspace(len(nodes), solver)
        dtype = np.float32 if subspace else np.float64
        blocks = ROW_BLOCKS if subspace and len(nodes) > PARALLEL_LIMIT else 1
        with one_thread():
            sub = graph.subgraph(nodes, dtype, blocks)
            eigenvalues, vectors = spectral_embedding(sub, k, rng, solver)
        if self.eigengap:
            k = eigengap_n_clusters(eigenvalues)
            vectors = vectors[:, :k]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        embedding = vectors / np.maximum(norms, 1e-12)
        seed = int(rng.integers(2**31))
        labels = kmeans_labels(embedding, k, seed=seed, init_trials=init_trials)
        if len(np.unique(labels)) < 2:
            # Indistinguishable nodes (identical neighbourhoods): split by number order so the
            # recursion still bounds leaf sizes.
            return self.chunks(len(nodes))
        return np.unique(labels, return_inverse=True)[1].reshape(-1)

    def chunks(self, n: int) -> np.ndarray:
        """Labels cutting n ordered nodes into at most `n_clusters` near-equal runs."""
        parts = min(self.n_clusters, n)
        return np.arange(n) * parts // n


def append_leaf_tokens(paths: np.ndarray, n_user_nodes: int) -> np.ndarray:
    """Append a disambiguation token where entities of one kind share a path.

    Users and items are numbered separately: their codes live in separate tables.
    """
    parts = [
        append_disambiguation(p, always=False) if len(p) else p
        for p in (paths[:n_user_nodes], paths[n_user_nodes:])
    ]
    width = max(p.shape[1] for p in parts)
    return np.concatenate(
        [np.pad(p, ((0, 0), (0, width - p.shape[1])), constant_values=PAD) for p in parts]
    )


def _trim(codes: np.ndarray) -> np.ndarray:
    """Drop trailing all-PAD columns."""
    width = int((codes >= 0).sum(axis=1).max()) if len(codes) else 1
    return codes[:, : max(width, 1)]
