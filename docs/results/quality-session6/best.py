"""usage: best.py RUN...: best val NDCG@10, its epoch (0-based), epochs run, for runs/s6 folders."""
import csv
import glob
import sys

for name in sys.argv[1:]:
    rows = [r for f in glob.glob(f"{name}/*/version_*/metrics.csv") + glob.glob(f"{name}/val_history.csv")
            for r in csv.DictReader(open(f)) if r.get("val/ndcg@10")]
    if not rows:
        print(name, "no validation yet")
        continue
    b = max(rows, key=lambda r: float(r["val/ndcg@10"]))
    print(f"{name}: best {float(b['val/ndcg@10']):.4f} at epoch {b['epoch']} of {len(rows)}; "
          f"ndcg by epoch {[round(float(r['val/ndcg@10']), 4) for r in rows]}")
