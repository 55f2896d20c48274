"""Session 26: one line per SASRec-CE run distilled from its teacher (runs/s26/sas-{b,t}d-sS): all
validation users' NDCG@10 and test NDCG@10 (runs/s26/paired), best / last epoch and best figure on the
4,096-user subset, CPU minutes (fit); beside them the same figures of the teacher and the student of
session 25's re-scoring (runs/s25/paired)."""
import glob
import json
import os
import re

import polars as pl


def metric(path, key):
    return json.load(open(path))["metrics"][key] if os.path.exists(path) else None


def fmt(x):
    return "-" if x is None else f"{x:.4f}"


def run_line(d, scored):
    m = glob.glob(f"{d}/*/version_*/metrics.csv")
    h = pl.read_csv(m[0], infer_schema_length=10000).filter(pl.col("val/ndcg@10").is_not_null())
    v = h["val/ndcg@10"].to_list()
    best = max(range(len(v)), key=lambda i: v[i])
    t = open(f"{d}/times.txt").read() if os.path.exists(f"{d}/times.txt") else ""
    cpu = re.search(r"cpu_s=([\d.]+)\+([\d.]+)", t)
    minutes = f"{(float(cpu.group(1)) + float(cpu.group(2))) / 60:.1f}" if cpu else "running"
    return (f"{os.path.basename(d)}: val all {fmt(metric(f'{scored}/val.json', 'val/ndcg@10'))}, test "
            f"{fmt(metric(f'{scored}/test.json', 'test/ndcg@10'))}, subset best {v[best]:.4f} at "
            f"{best + 1}/{len(v)}, cpu {minutes} min")


for data, tag, teacher, student in (("beauty", "b", "beauty-sas-ema", "beauty-kd-emat"),
                                    ("toys", "t", "toys-sas", "toys-kd-ema")):
    for s in range(3):
        d = f"runs/s26/sas-{tag}d-s{s}"
        if os.path.isdir(d):
            print(run_line(d, f"runs/s26/paired/{data}-sas-{tag}d-s{s}"))
        for name in (teacher, student):
            p = f"runs/s25/paired/{name}-s{s}"
            print(f"  {name}-s{s}: val all {fmt(metric(f'{p}/val.json', 'val/ndcg@10'))}, "
                  f"test {fmt(metric(f'{p}/test.json', 'test/ndcg@10'))}")
