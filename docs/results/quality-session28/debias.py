"""Session 28: a copy of a teacher's item-embedding file with its popularity directions scaled.

usage: debias.py DATA IN.parquet OUT.parquet [FACTOR [R2]]. Iterative null-space projection finds the
directions: the least-squares direction of log(1 + training interactions) on the unit-normalised embeddings is
projected out, and again on what remains, until a linear fit explains at most R2 (default 0.05) of the log
count (training interactions: every item of a line but its last two, the kit's leave-one-out split). The
embeddings' component in those directions is then multiplied by FACTOR: 0 (the default) removes it, so the
KMeans codes read what an item is like and not how often it was bought; 2 doubles it, so they read
popularity more.
"""
import sys

import numpy as np
import polars as pl

data, src, dst = sys.argv[1:4]
counts: dict[str, int] = {}
for line in open(data):
    for item in line.split()[1:][:-2]:
        counts[item] = counts.get(item, 0) + 1
emb = pl.read_parquet(src)
x = np.asarray(emb["embedding"].to_list(), dtype=np.float64)
x /= np.linalg.norm(x, axis=1, keepdims=True)
y = np.log1p(np.array([counts.get(str(i), 0) for i in emb["item"].to_list()], dtype=np.float64))
factor = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
target = float(sys.argv[5]) if len(sys.argv) > 5 else 0.05
original = x.copy()


def fit(x):
    w, *_ = np.linalg.lstsq(np.c_[x, np.ones(len(x))], y, rcond=None)
    return w[:-1], 1 - np.var(y - np.c_[x, np.ones(len(x))] @ w) / np.var(y)


w, r2 = fit(x)
print(f"{src}: R^2 of log count on the embeddings {r2:.3f}")
removed = 0
while r2 > target:
    u = w / np.linalg.norm(w)
    x -= np.outer(x @ u, u)
    removed += 1
    w, r2 = fit(x)
print(f"{removed} directions projected out; R^2 now {r2:.3f}")
x += factor * (original - x)  # x held the part outside the directions; original - x is the part inside
print(f"scaled by {factor}: R^2 of log count on the written embeddings {fit(x)[1]:.3f}")
pl.DataFrame({"item": emb["item"], "embedding": x.astype(np.float32).tolist()}).write_parquet(dst)
