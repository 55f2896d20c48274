"""usage: replay.py: per paired_eval.sh output, val (all users) and test NDCG@10 scored again, beside the
figures the run recorded when it was first validated and tested (val_all.json, test_metrics.json); they
must agree."""
import json
from pathlib import Path

SOURCES = {  # paired name prefix -> where the run lives
    "beauty-sas-ema-s0": "runs/s22/sas-b-ema-s0", "beauty-sas-ema-s1": "runs/s23/sas-b-ema-s1",
    "beauty-sas-ema-s2": "runs/s23/sas-b-ema-s2",
    **{f"beauty-kd-emat-s{s}": f"runs/s23/b-emat-s{s}" for s in range(3)},
    **{f"beauty-kd-ema-s{s}": f"runs/s22/b-ema-s{s}" for s in range(3)},
    **{f"toys-sas-s{s}": f"runs/s19/sas-t-s{s}" for s in range(3)},
    **{f"toys-kd-ema-s{s}": f"runs/s22/t-ema-s{s}" for s in range(3)},
    **{f"ml-{m}-s{s}": f"runs/s24/ml-{m}-s{s}" for m in ("sas", "kd", "items") for s in range(3)},
}


def metric(path: Path, name: str):
    return json.loads(path.read_text())["metrics"].get(name) if path.exists() else None


for out in sorted(Path("runs/s24/paired").iterdir()):
    run = Path(SOURCES[out.name])
    now = metric(out / "val.json", "val/ndcg@10"), metric(out / "test.json", "test/ndcg@10")
    then = metric(run / "val_all.json", "val/ndcg@10"), metric(run / "test_metrics.json", "test/ndcg@10")
    same = all(a is None or b is None or abs(a - b) < 1e-7 for a, b in zip(now, then))
    fmt = lambda x: "-" if x is None else f"{x:.5f}"  # noqa: E731
    print(f"{out.name:20s} val {fmt(now[0])} (recorded {fmt(then[0])})  "
          f"test {fmt(now[1])} (recorded {fmt(then[1])})  {'same' if same else 'DIFFERENT'}")
