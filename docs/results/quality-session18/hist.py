"""Print each run's validation NDCG@10 per epoch: python hist.py RUN_DIR [RUN_DIR ...]."""
import csv
import glob
import sys

for path in sys.argv[1:]:
    for f in sorted(glob.glob(f"{path}/**/metrics.csv", recursive=True)) or [f"{path}/val_history.csv"]:
        with open(f, newline="") as handle:
            scores = [float(r["val/ndcg@10"]) for r in csv.DictReader(handle) if r.get("val/ndcg@10")]
        if not scores:
            print(path, "none")
            continue
        best = scores.index(max(scores))
        print(path.split("/")[-1], f"{len(scores)} ep, best {max(scores):.4f} @ {best + 1}:",
              " ".join(f"{x:.4f}" for x in scores))
