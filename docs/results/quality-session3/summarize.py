"""The README's session-3 tables from these result files: mean ± std per group of runs.

    python docs/results/quality-session3/summarize.py
"""

import csv
import json
import re
import statistics
from pathlib import Path

HERE = Path(__file__).parent
GROUPS = {
    "beauty generative (item step, prefix 1, siblings)": ["b-sib-p1-s0", "b-sib-p1-s1", "b-sib-p1-s2"],
    "beauty SASRec-CE, 8 epochs": ["b-sasrec-s0", "b-sasrec-s1", "b-sasrec-s2"],
    "beauty SASRec-CE, until validation stops improving": ["b-sasrec-conv-s0"],
    "toys generative": ["t-sib-p1-s0"],
    "toys SASRec-CE, 8 epochs": ["t-sasrec-s0"],
}
KEYS = ["ndcg@10", "recall@10", "ndcg@20", "recall@20", "mrr@20", "coverage@10"]


def mean_std(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"


def best_validation(run: str) -> float | None:
    path = HERE / run / "val_history.csv"
    if not path.is_file():  # seed-0 runs logged no history: their checkpoint's best score
        best = HERE / run / "best_val.txt"
        return float(best.read_text()) if best.is_file() else None
    scores = [float(r["val/ndcg@10"]) for r in csv.DictReader(path.open()) if r.get("val/ndcg@10")]
    return max(scores) if scores else None


def cpu_minutes(run: str) -> float | None:
    path = HERE / run / "times.txt"
    match = re.search(r"cpu_s=([\d.]+)\+([\d.]+)", path.read_text()) if path.is_file() else None
    return (float(match[1]) + float(match[2])) / 60 if match else None


def main() -> None:
    print("| runs | seeds | " + " | ".join(f"test {k}" for k in KEYS) + " | val ndcg@10 | CPU min |")
    for name, runs in GROUPS.items():
        tests = [json.loads((HERE / r / "test_metrics.json").read_text())["metrics"] for r in runs]
        cols = [mean_std([m[f"test/{k}"] for m in tests if f"test/{k}" in m]) for k in KEYS]
        val = mean_std([v for v in map(best_validation, runs) if v is not None])
        cpu = mean_std([c for c in map(cpu_minutes, runs) if c is not None])
        print(f"| {name} | {len(runs)} | " + " | ".join(cols) + f" | {val} | {cpu} |")


if __name__ == "__main__":
    main()
