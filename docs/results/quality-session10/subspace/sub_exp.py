"""Session 10 experiment: coherence and CPU time of SCI (solver=subspace) vs subspace iterations."""

import json
import sys
import time

import numpy as np

sys.path.insert(0, "benchmarks")
from index_scale import synthetic_interactions

import indexers.spectral as S
from indexers.stats import collaborative_coherence

n_items = int(sys.argv[1])
iters = [int(x) for x in sys.argv[2].split(",")]
train = synthetic_interactions(n_items, 0)
trace = []
orig = S.subspace_iteration


def traced(matmat, n, k, rng, dtype=np.float32):
    block = min(n, k + S.SUBSPACE_OVERSAMPLE)
    q = S.orthonormalized(rng.standard_normal((n, block)).astype(dtype))
    prev = None
    changes = []
    for _ in range(S.SUBSPACE_ITERATIONS):
        z = matmat(q)
        z += q
        g = np.linalg.eigvalsh((z.T @ z).astype(np.float64))[-k:]
        est = np.sqrt(np.maximum(g, 0)) - 1
        if prev is not None:
            changes.append(float(np.abs(est - prev).max()))
        prev = est
        q = S.orthonormalized(z)
    if n > 20000:
        trace.append((n, [round(c, 5) for c in changes]))
    return orig(matmat, n, k, rng, dtype) if False else _finish(matmat, q, k, dtype)


def _finish(matmat, q, k, dtype):
    q = S.orthonormalized(q)
    h = q.T.astype(np.float64) @ matmat(q).astype(np.float64)
    vals, w = np.linalg.eigh((h + h.T) / 2)
    return vals[-k:], (q @ w[:, -k:].astype(dtype)).astype(np.float64)


if "trace" in sys.argv:
    S.subspace_iteration = traced
for it in iters:
    S.SUBSPACE_ITERATIONS = it
    trace.clear()
    c = time.process_time()
    t = time.perf_counter()
    idx = S.SpectralIndexer(solver="subspace", seed=0).fit(train)
    row = dict(
        items=n_items,
        iters=it,
        cpu_s=round(time.process_time() - c, 1),
        wall_s=round(time.perf_counter() - t, 1),
        coherence=round(collaborative_coherence(idx.item_codes, train, 0)["ratio"], 3),
        levels=idx.level_sizes("item"),
    )
    print(json.dumps(row), flush=True)
    for n, ch in trace[:3]:
        print("  trace", n, ch, flush=True)
