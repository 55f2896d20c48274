#!/usr/bin/env bash
# usage: curve.sh: each session-25 run's val/ndcg@10 per epoch (4,096-user subset) beside its base b-emat-sS
. .venv/bin/activate
python - <<'PY'
import glob, polars as pl
def hist(d):
    m = glob.glob(f"{d}/*/version_*/metrics.csv")
    if not m: return []
    f = pl.read_csv(m[0], infer_schema_length=10000)
    return f.filter(pl.col("val/ndcg@10").is_not_null())["val/ndcg@10"].round(4).to_list()
for d in sorted(glob.glob("runs/s25/*-s[0-9]")):
    s = d[-1]
    print(d.split("/")[-1], hist(d))
    print("  base  ", hist(f"runs/s23/b-emat-s{s}"))
PY
