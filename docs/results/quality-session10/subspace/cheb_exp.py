"""Session 10 experiment: Chebyshev-filtered subspace iteration against plain subspace iteration,
same number of graph products; SCI (solver=subspace) coherence and CPU time."""

import json
import sys
import time

import numpy as np

sys.path.insert(0, "benchmarks")
from index_scale import synthetic_interactions

import indexers.spectral as S
from indexers.stats import collaborative_coherence

COUNT = [0]


def cheb(matmat, n, k, rng, dtype=np.float32, products=25, degree=6, warm=2):
    block = min(n, k + S.SUBSPACE_OVERSAMPLE)
    q = S.orthonormalized(rng.standard_normal((n, block)).astype(dtype))
    used = 0
    for _ in range(warm):
        z = matmat(q)
        z += q
        q = S.orthonormalized(z)
        used += 1
    while True:
        aq = matmat(q)
        used += 1
        h = q.T.astype(np.float64) @ aq.astype(np.float64)
        vals, w = np.linalg.eigh((h + h.T) / 2)
        wd = w.astype(dtype)
        q, aq = q @ wd, aq @ wd
        if used >= products:
            break
        d = min(degree, products - used + 1)
        a, c = -1.0, float(vals[0])
        e, r = (c + a) / 2, (c - a) / 2
        y0, y1 = q, (aq - e * q) / r
        for _ in range(d - 1):
            y2 = 2.0 * (matmat(y1) - e * y1) / r - y0
            used += 1
            y0, y1 = y1, y2
        q = S.orthonormalized(S.orthonormalized(y1))
    COUNT[0] += used
    return vals[-k:], q[:, -k:].astype(np.float64)


n_items = int(sys.argv[1])
train = synthetic_interactions(n_items, 0)
orig = S.subspace_iteration
for spec in sys.argv[2:]:
    kind, p, d = spec.split(":") if ":" in spec else (spec, 25, 6)
    p, d = int(p), int(d)
    if kind == "plain":
        S.SUBSPACE_ITERATIONS = p
        S.subspace_iteration = orig
    else:
        S.subspace_iteration = lambda m, n, k, rng, dtype=np.float32, p=p, d=d: cheb(
            m, n, k, rng, dtype, p, d
        )
    c = time.process_time()
    t = time.perf_counter()
    idx = S.SpectralIndexer(solver="subspace", seed=0).fit(train)
    row = dict(
        items=n_items,
        spec=spec,
        cpu_s=round(time.process_time() - c, 1),
        wall_s=round(time.perf_counter() - t, 1),
        coherence=round(collaborative_coherence(idx.item_codes, train, 0)["ratio"], 3),
        levels=idx.level_sizes("item"),
    )
    print(json.dumps(row), flush=True)
