"""Session 26: diag.py's per-user files of SASRec-CE (A) and the student (B), by quartile of
item_train_count (from session 25's per-user validation file of the student): NDCG@10, P(target cluster
in the top 1/3/5 clusters), mean log-probability of the target's cluster and of the target given its
cluster, within-cluster NDCG@10 (rank among the cluster's items). usage: diag_table.py A.parquet
B.parquet PER_USER.parquet"""
import sys

import numpy as np
import polars as pl

a, b, pu = (pl.read_parquet(p) for p in sys.argv[1:4])
assert len(a) == len(b) == len(pu) and (a["user"] == b["user"]).all()
count = pu["item_train_count"].to_numpy()
edges = np.quantile(count, [0.25, 0.5, 0.75])
group = np.searchsorted(edges, count, side="right")


def ndcg(r):
    return np.where(r < 10, 1 / np.log2(r + 2), 0.0)


for g in range(4):
    m = group == g
    line = [f"q{g} n={m.sum():5d} count {count[m].min()}-{count[m].max()}"]
    for name, f in (("A", a), ("B", b)):
        r, cr, wr = (f[c].to_numpy()[m] for c in ("rank", "cluster_rank", "within_rank"))
        cl = f["cluster_logp"].to_numpy()[m]
        item = f["target_logp"].to_numpy()[m] - cl
        top = "/".join(f"{(cr < k).mean():.3f}" for k in (1, 3, 5))
        line.append(f"{name}: ndcg {ndcg(r).mean():.4f} top1/3/5cl {top} logp cl {cl.mean():.2f} "
                    f"item|cl {item.mean():.2f} wndcg {ndcg(wr).mean():.4f}")
    print("  ".join(line))
