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

from datamodules.p5 import read_p5
from datamodules.split import leave_one_out
from indexers.item_vectors import read_item_vectors

data, src, dst = sys.argv[1:4]
split = leave_one_out(read_p5(data))
counts = np.bincount(split.train.items, minlength=split.data.sequences.n_items)  # as `--by item_train_count`
item_ids = split.data.item_ids
x = read_item_vectors(src, None, item_ids).astype(np.float64)
x /= np.linalg.norm(x, axis=1, keepdims=True)
y = np.log1p(counts.astype(np.float64))
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
pl.DataFrame({"item": item_ids, "embedding": x.astype(np.float32).tolist()}).write_parquet(dst)
