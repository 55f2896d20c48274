"""Session 28: one line per screen run (runs/s28/b-*-sS): all validation users' NDCG@10 (val_all.json), best /
last epoch and best figure on the 4,096-user subset, CPU minutes (fit). The base students' own all-users
figures are session 25's re-scoring (runs/s25/paired/beauty-kd-emat-sS/val.json)."""

import glob
import json
import os
import re

import polars as pl


def ndcg(path):
    return json.load(open(path))["metrics"]["val/ndcg@10"] if os.path.exists(path) else None


def fmt(x):
    return "-" if x is None else f"{x:.4f}"


for d in sorted(glob.glob("runs/s28/b-*-s[0-9]")):
    m = glob.glob(f"{d}/*/version_*/metrics.csv")
    if not m:
        continue
    h = pl.read_csv(m[0], infer_schema_length=10000).filter(pl.col("val/ndcg@10").is_not_null())
    v = h["val/ndcg@10"].to_list()
    best = max(range(len(v)), key=lambda i: v[i])
    t = open(f"{d}/times.txt").read() if os.path.exists(f"{d}/times.txt") else ""
    cpu = re.search(r"cpu_s=([\d.]+)\+([\d.]+)", t)
    minutes = f"{(float(cpu.group(1)) + float(cpu.group(2))) / 60:.1f}" if cpu else "running"
    seed = d[-1]
    base = ndcg(f"runs/s25/paired/beauty-kd-emat-s{seed}/val.json")
    print(f"{os.path.basename(d)}: val all {fmt(ndcg(f'{d}/val_all.json'))} (base {fmt(base)}), subset best "
          f"{v[best]:.4f} at {best + 1}/{len(v)}, CPU min {minutes}")
