"""Session 28: one markdown line per comparison file (docs/results/quality-session28/compare/*-val.json):
NDCG@10 over all validation users, B - A with its 95% interval and p, and B - A on the rarest and the most
popular quarter of the held-out item's training interactions."""

import glob
import json


def ci(r):
    return f"{r['difference']:+.4f} [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]"


for path in sorted(glob.glob("docs/results/quality-session28/compare/*-val.json")):
    d = json.load(open(path))
    whole = next(r for r in d["rows"] if r["metric"] == "ndcg@10")
    quarters = [r for r in d["strata"] if r["metric"] == "ndcg@10"]
    print(f"| {d['b']['name']} | {len(d['b']['files'])} | {whole['a']:.4f} / {whole['b']:.4f} | {ci(whole)}, "
          f"p {whole['p_value']:.2g} | {ci(quarters[0])} | {ci(quarters[-1])} |")
