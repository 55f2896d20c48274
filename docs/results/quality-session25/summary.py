"""Session 25: one line per run of runs/s25 (and its base b-emat-sS of session 23): all-validation-users
NDCG@10, best / last epoch on the 4,096-user subset, its best subset figure, and CPU minutes (fit)."""
import glob
import json
import os
import re

import polars as pl


def line(d):
    m = glob.glob(f"{d}/*/version_*/metrics.csv")
    if not m:
        return None
    h = pl.read_csv(m[0], infer_schema_length=10000).filter(pl.col("val/ndcg@10").is_not_null())
    v = h["val/ndcg@10"].to_list()
    best = max(range(len(v)), key=lambda i: v[i])
    full = None
    if os.path.exists(f"{d}/val_all.json"):
        full = json.load(open(f"{d}/val_all.json"))["metrics"]["val/ndcg@10"]
    t = open(f"{d}/times.txt").read() if os.path.exists(f"{d}/times.txt") else ""
    cpu = re.search(r"cpu_s=([\d.]+)\+([\d.]+)", t)
    minutes = (float(cpu.group(1)) + float(cpu.group(2))) / 60 if cpu else None
    head = f"{os.path.basename(d)}: all users " + (f"{full:.4f}" if full else "-")
    if minutes is None:
        return head
    return head + f", subset best {v[best]:.4f} at {best + 1}/{len(v)}, cpu {minutes:.1f} min"


for d in sorted(glob.glob("runs/s25/*-s[0-9]")) + [f"runs/s23/b-emat-s{s}" for s in range(3)]:
    print(line(d))
