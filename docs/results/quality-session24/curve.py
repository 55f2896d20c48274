"""usage: curve.py RUN_DIR...: per run, epochs validated, best val/ndcg@10 (0-based epoch), last, test
NDCG@10 if read."""

import json
import sys
from pathlib import Path

import polars as pl

for d in map(Path, sys.argv[1:]):
    m = sorted(d.glob("*/version_*/metrics.csv"))
    if not m:
        print(d.name, "no metrics yet")
        continue
    v = pl.read_csv(m[-1]).filter(pl.col("val/ndcg@10").is_not_null())
    best = v.sort("val/ndcg@10").tail(1)
    t = d / "test_metrics.json"
    test = json.loads(t.read_text())["metrics"] if t.exists() else {}
    print(f"{d.name:16s} epochs {v.height:3d} best {best['val/ndcg@10'][0]:.4f} (ep {best['epoch'][0]}) "
          f"last {v['val/ndcg@10'][-1]:.4f}  test ndcg@10 {test.get('test/ndcg@10', float('nan')):.4f} "
          f"recall@10 {test.get('test/recall@10', float('nan')):.4f}")
