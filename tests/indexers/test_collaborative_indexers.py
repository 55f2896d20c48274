"""SCI, GCI and RQ on tiny synthetic communities: valid, deterministic, leak-free codes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import indexers.spectral as spectral
from datamodules.interactions import Interactions, Sequences
from datamodules.split import leave_one_out
from indexers.collaborative import collaborative_embeddings, kmeans_labels
from indexers.graph import GraphIndexer
from indexers.random_ids import RandomIndexer
from indexers.residual import ResidualIndexer
from indexers.spectral import (
    SpectralIndexer,
    affinity_graph,
    drop_empty_columns,
    eigengap_n_clusters,
    spectral_embedding,
)
from indexers.stats import branching, collaborative_coherence, index_statistics
from kitbase.errors import ConfigError

N_BLOCKS, BLOCK_ITEMS, N_USERS = 3, 20, 200
N_ITEMS = N_BLOCKS * BLOCK_ITEMS + 1  # the last item never appears in training


def communities(seed: int = 0) -> Interactions:
    """Each user buys 6 to 10 items of their own block; a few users' test item is the
    extra item, which therefore exists only outside training."""
    rng = np.random.default_rng(seed)
    seqs = []
    for u in range(N_USERS):
        block = u % N_BLOCKS
        n = rng.integers(6, 11)
        seq = block * BLOCK_ITEMS + rng.choice(BLOCK_ITEMS, n, replace=False)
        if u % 50 == 0:
            seq[-1] = N_ITEMS - 1
        seqs.append(seq)
    return Interactions(
        Sequences.from_lists(seqs, N_ITEMS),
        np.arange(N_USERS),
        np.arange(N_ITEMS),
        "communities",
    )


def indexers() -> list:
    small = {"seed": 3}
    return [
        SpectralIndexer(n_clusters=4, max_cluster_size=10, max_depth=4, **small),
        SpectralIndexer(n_clusters=4, max_cluster_size=10, entities="items", **small),
        SpectralIndexer(n_clusters=4, max_cluster_size=10, entities="users", **small),
        GraphIndexer(codebook_size=4, epochs=10, **small),
        GraphIndexer(codebook_size=4, epochs=10, encoder="lightgcn", entities="items", **small),
        ResidualIndexer(codebook_size=4, epochs=10, **small),
    ]


@pytest.fixture(scope="module")
def split():
    return leave_one_out(communities())


@pytest.mark.parametrize("indexer", indexers(), ids=lambda i: f"{i.name}-{i.entities}")
def test_codes_unique_complete_and_deterministic(split, indexer) -> None:
    first = indexer.fit(split.train)  # ItemIndex checks uniqueness and padding itself
    again = indexer.fit(split.train)
    assert first.n_items == N_ITEMS and first.n_users == N_USERS
    assert np.array_equal(first.item_codes, again.item_codes)
    assert np.array_equal(first.user_codes, again.user_codes)
    assert (first.user_codes[:, 0] >= 0).all()


@pytest.mark.parametrize("indexer", indexers(), ids=lambda i: f"{i.name}-{i.entities}")
def test_codes_ignore_validation_and_test_items(indexer) -> None:
    """docs/method.md section 8, bug 1: changing every user's held-out items must not change a single code."""
    data = communities()
    s = data.sequences
    items = s.items.copy()
    last = s.offsets[1:] - 1
    for pos in (last, last - 1):
        items[pos] = (items[pos] + 7) % N_ITEMS
    changed = Interactions(Sequences(s.offsets, items, N_ITEMS), data.user_ids, data.item_ids, "x")
    a = indexer.fit(leave_one_out(data).train)
    b = indexer.fit(leave_one_out(changed).train)
    assert np.array_equal(a.item_codes, b.item_codes)
    assert np.array_equal(a.user_codes, b.user_codes)


def test_co_indexing_gives_user_codes(split) -> None:
    for indexer in (SpectralIndexer(n_clusters=4), GraphIndexer(codebook_size=4, epochs=5)):
        index = indexer.fit(split.train)
        assert index.user_codes.shape[1] > 1
        assert len(np.unique(index.user_codes, axis=0)) == N_USERS


def test_sci_paths_respect_depth_and_leaf_size(split) -> None:
    sci = SpectralIndexer(n_clusters=3, max_cluster_size=8, max_depth=5)
    graph = affinity_graph(split.train, "co")
    paths = sci.cluster_paths(graph)
    depth = (paths >= 0).sum(axis=1)
    assert depth.min() >= 1 and depth.max() <= 5
    _, leaf_sizes = np.unique(paths, axis=0, return_counts=True)
    assert leaf_sizes.max() <= 8
    index = sci.fit(split.train)
    assert index.item_code_lengths.max() <= 6  # path plus disambiguation token


def test_coherence_beats_random(split) -> None:
    train = split.train
    chance = collaborative_coherence(RandomIndexer(base=8).fit(train).item_codes, train)
    for indexer in (SpectralIndexer(n_clusters=4), GraphIndexer(codebook_size=4, epochs=10)):
        found = collaborative_coherence(indexer.fit(train).item_codes, train)
        assert found["copurchase_share"] > chance["copurchase_share"] + 0.4
        assert found["ratio"] > 2.0


def test_eigengap_finds_three_blocks(split) -> None:
    assert eigengap_n_clusters(np.array([0.0, 0.01, 0.02, 0.6, 0.65, 0.9])) == 3
    graph = affinity_graph(split.train, "items")
    warm = np.flatnonzero(graph.dense().sum(axis=1) > 0)
    eigenvalues, _ = spectral_embedding(graph.subgraph(warm), 8, np.random.default_rng(0))
    assert eigengap_n_clusters(eigenvalues) == 3
    index = SpectralIndexer(n_clusters=8, entities="items", eigengap=True).fit(split.train)
    linked_top = index.item_codes[: N_ITEMS - 1, 0]
    assert len(np.unique(linked_top)) == 3  # plus one isolated-item cluster


def test_affinity_is_symmetric_sum_of_counts() -> None:
    # Item 0 precedes item 1 for users 0 and 2, follows it for user 1: the symmetric sum
    # counts 3 co-buyers, the public code's min of directed counts would say 1.
    train = Sequences.from_lists([[0, 1], [1, 0], [0, 1, 2]], n_items=3)
    g = affinity_graph(train, "co")
    a = g.dense()
    assert np.allclose(a, a.T)
    uu = np.array([[0, 2, 2], [2, 0, 2], [2, 2, 0]])
    ii = np.array([[0, 3, 1], [3, 0, 1], [1, 1, 0]])
    ui = np.array([[1, 1, 0], [1, 1, 0], [1, 1, 1]])
    assert np.allclose(a[:3, :3], g.w_uu * uu)
    assert np.allclose(a[3:, 3:], g.w_ii * ii)
    assert np.allclose(a[:3, 3:], g.w_ui * ui)
    # Balanced blocks: user-user, item-item and user-item weight each a third of the total.
    thirds = [(g.w_uu * uu).sum(), (g.w_ii * ii).sum(), 2 * (g.w_ui * ui).sum()]
    assert np.allclose(thirds, a.sum() / 3)
    x = np.random.default_rng(0).standard_normal((6, 2))
    assert np.allclose(g.subgraph(np.arange(6)).matmat(x), a @ x)


def test_lanczos_path_matches_dense(split, monkeypatch) -> None:
    graph = affinity_graph(split.train, "co")
    sub = graph.subgraph(np.arange(graph.n_nodes - 1))  # drop the isolated item
    dense_vals, _ = spectral_embedding(sub, 5, np.random.default_rng(0))
    monkeypatch.setattr(spectral, "DENSE_LIMIT", 10)
    sparse_vals, _ = spectral_embedding(sub, 5, np.random.default_rng(0))
    assert np.allclose(dense_vals, sparse_vals, atol=1e-5)


def test_subspace_path_finds_the_dense_eigenvalues_in_float32(split, monkeypatch) -> None:
    graph = affinity_graph(split.train, "co")
    nodes = np.arange(graph.n_nodes - 1)
    dense_vals, dense_vecs = spectral_embedding(graph.subgraph(nodes), 3, np.random.default_rng(0))
    monkeypatch.setattr(spectral, "DENSE_LIMIT", 10)
    monkeypatch.setattr(spectral, "SUBSPACE_LIMIT", 10)
    sub = graph.subgraph(nodes, np.float32)
    vals, vecs = spectral_embedding(sub, 3, np.random.default_rng(0))
    assert sub.bu.dtype == np.float32 and vecs.shape == dense_vecs.shape
    assert np.allclose(dense_vals, vals, atol=1e-3)
    # The same leading subspace: the dense vectors lie in the span of the subspace ones.
    projected = vecs @ (vecs.T @ dense_vecs)
    assert np.linalg.norm(projected - dense_vecs) / np.linalg.norm(dense_vecs) < 1e-2


def test_chebyshev_filtered_iteration_beats_plain_powers_on_a_crowded_spectrum() -> None:
    """Five leading eigenvalues 0.96-1.0 above 995 spread over [-1, 0.85]: with the same number of
    block products, plain powers of A + I (then Rayleigh-Ritz) stay far from them."""
    rng = np.random.default_rng(0)
    n, k = 1000, 5
    eigenvalues = np.concatenate([[1.0, 0.99, 0.98, 0.97, 0.96], rng.uniform(-1, 0.85, n - k)])
    basis = np.linalg.qr(rng.standard_normal((n, n)))[0]
    a = (basis * eigenvalues) @ basis.T
    vals, _ = spectral.subspace_iteration(lambda x: a @ x, n, k, np.random.default_rng(1), np.float64)
    filtered_error = np.abs(np.sort(vals)[::-1] - eigenvalues[:k]).max()
    q = np.linalg.qr(np.random.default_rng(1).standard_normal((n, k + spectral.SUBSPACE_OVERSAMPLE)))[0]
    for _ in range(spectral.SUBSPACE_PRODUCTS):
        q = np.linalg.qr(a @ q + q)[0]
    plain = np.linalg.eigvalsh(q.T @ a @ q)[-k:][::-1]
    plain_error = np.abs(plain - eigenvalues[:k]).max()
    assert filtered_error < 0.05 and filtered_error < plain_error / 3


def test_subgraph_keeps_only_the_columns_it_touches_and_the_exact_products(split) -> None:
    graph = affinity_graph(split.train, "co")
    a = graph.dense()
    block = np.arange(BLOCK_ITEMS)  # block 0's items
    users = np.arange(0, N_USERS, N_BLOCKS)  # block 0's users
    nodes = np.concatenate([users, graph.n_user_nodes + block])
    sub = graph.subgraph(nodes)
    # Block 0's users buy only block 0's items (plus the held-out one, not in training): the
    # user factor keeps 20 of 61 item columns, the item factor the 67 users of the block.
    assert sub.bu.shape == (len(users), BLOCK_ITEMS)
    assert sub.bi.shape == (BLOCK_ITEMS, len(users))
    x = np.random.default_rng(1).standard_normal((len(nodes), 3))
    assert np.allclose(sub.matmat(x), a[np.ix_(nodes, nodes)] @ x)


def test_dropping_empty_columns_changes_no_bit_of_the_overlap_product() -> None:
    rng = np.random.default_rng(0)
    m = sp.random(50, 400, density=0.02, random_state=1, format="csr")
    m.data[:] = 1.0
    compact = drop_empty_columns(m)
    assert compact.shape == (50, len(np.unique(m.indices))) and compact.nnz == m.nnz
    x = rng.standard_normal((50, 4))
    assert np.array_equal(compact @ (compact.T @ x), m @ (m.T @ x))


def test_products_on_row_blocks_match_the_single_product(split) -> None:
    graph = affinity_graph(split.train, "co")
    nodes = np.arange(graph.n_nodes - 1)
    x = np.random.default_rng(2).standard_normal((len(nodes), 4)).astype(np.float32)
    whole, blocked = graph.subgraph(nodes, np.float32), graph.subgraph(nodes, np.float32, row_blocks=2)
    assert set(blocked.factors) == {"bu", "bi", "ui"} and not whole.factors
    assert len(blocked.factors["bu"].blocks) == 2
    assert np.array_equal(blocked.factors["ui"].matmul(x[N_USERS:]), whole.ui @ x[N_USERS:])  # stacked: exact
    assert np.allclose(blocked.matmat(x), whole.matmat(x), rtol=1e-5, atol=1e-6)


def test_solver_auto_is_lanczos_below_the_limit_and_subspace_still_finds_the_blocks(split) -> None:
    def top_codes(solver: str) -> np.ndarray:
        index = SpectralIndexer(n_clusters=3, max_cluster_size=10, entities="items", seed=1, solver=solver)
        return index.fit(split.train).item_codes

    assert np.array_equal(top_codes("auto"), top_codes("lanczos"))
    top = top_codes("subspace")[: N_ITEMS - 1, 0]
    assert all(len(np.unique(top[b * BLOCK_ITEMS : (b + 1) * BLOCK_ITEMS])) == 1 for b in range(N_BLOCKS))
    assert len(np.unique(top)) == N_BLOCKS


def test_unknown_solver_is_refused_by_option_name() -> None:
    with pytest.raises(ConfigError, match="--data.indexer.solver"):
        SpectralIndexer(solver="arnoldi")


def test_one_kmeans_init_trial_still_finds_the_blocks_and_changes_the_seeding(split) -> None:
    index = SpectralIndexer(n_clusters=3, max_cluster_size=10, entities="items", kmeans_init_trials=1)
    top = index.fit(split.train).item_codes[: N_ITEMS - 1, 0]
    assert all(len(np.unique(top[b * BLOCK_ITEMS : (b + 1) * BLOCK_ITEMS])) == 1 for b in range(N_BLOCKS))
    assert len(np.unique(top)) == N_BLOCKS
    # Five well-separated points per blob, three blobs and nine clusters: the seeds then decide
    # how each blob is cut, so one candidate per seed and the greedy default's 4 disagree.
    rng = np.random.default_rng(0)
    x = np.concatenate([c + 0.3 * rng.standard_normal((5, 2)) for c in ((0, 0), (10, 0), (0, 10))])
    greedy, single = kmeans_labels(x, 9, seed=0), kmeans_labels(x, 9, seed=0, init_trials=1)
    assert not np.array_equal(greedy, single)


def test_kmeans_init_trials_default_to_one_only_above_the_subspace_limit(split, monkeypatch) -> None:
    seen = []

    def recording_kmeans(x, k, seed, init_trials=None):
        seen.append(init_trials)
        return kmeans_labels(x, k, seed, init_trials)

    monkeypatch.setattr(spectral, "kmeans_labels", recording_kmeans)

    def trials_used(limit: int, **options) -> set:
        monkeypatch.setattr(spectral, "SUBSPACE_LIMIT", limit)
        seen.clear()
        SpectralIndexer(n_clusters=3, max_cluster_size=10, **options).fit(split.train)
        return set(seen)

    assert trials_used(spectral.SUBSPACE_LIMIT) == {None}  # scikit-learn's greedy default
    assert trials_used(10) == {1}  # the graph is above the limit: every split, small ones too
    assert trials_used(10, kmeans_init_trials=3) == {3}


def test_kmeans_init_trials_below_one_are_refused_by_option_name() -> None:
    with pytest.raises(ConfigError, match="--data.indexer.kmeans_init_trials"):
        SpectralIndexer(kmeans_init_trials=0)


def test_embeddings_normalized_and_cold_rows_zero(split) -> None:
    users, items = collaborative_embeddings(split.train, dim=8, epochs=3, seed=1)
    assert users.dtype == np.float32 and items.shape == (N_ITEMS, 8)
    assert np.allclose(np.linalg.norm(items[:-1], axis=1), 1.0, atol=1e-5)
    assert not items[-1].any()


def test_statistics_report_shape_of_the_tree(split) -> None:
    index = ResidualIndexer(codebook_size=4, epochs=5).fit(split.train)
    stats = index_statistics(index, split.train)
    assert stats["items"] == N_ITEMS and stats["users"] == N_USERS
    assert sum(stats["code_length_histogram"].values()) == N_ITEMS
    assert stats["branching"][0]["max"] <= 5  # 4 codebook entries plus the cold label
    assert 0 <= stats["disambiguated_items"] < N_ITEMS


def test_branching_stops_at_the_deepest_level_a_code_reaches():
    # Two clusters of items (0: three items, 1: one), a disambiguation token, and a padding
    # column that no code fills, as one residual level leaves in a 3-wide table.
    codes = np.array([[0, 0, -1], [0, 1, -1], [0, 2, -1], [1, 0, -1]])
    assert branching(codes) == [
        {"level": 0, "mean": 2.0, "max": 2},
        {"level": 1, "mean": 2.0, "max": 3},
    ]


def test_long_steps_report_progress_to_a_listening_display(split):
    from datamodules.progress import report, reporting_to

    report("nobody listens: a no-op")
    steps: list[str] = []
    with reporting_to(steps.append):
        GraphIndexer(codebook_size=4, epochs=3, seed=3).fit(split.train)
        SpectralIndexer(n_clusters=4, max_cluster_size=10, seed=3).fit(split.train)
    assert [s for s in steps if s.startswith("BPR")] == ["BPR epoch 1/3", "BPR epoch 2/3", "BPR epoch 3/3"]
    assert any(s.startswith("KMeans, 4 clusters of ") for s in steps)
    # The spectral recursion starts with the whole co-graph: 200 users and 60 trained items.
    assert next(s for s in steps if s.startswith("eigensolver")) == f"eigensolver on {N_USERS + 60:,} nodes"
