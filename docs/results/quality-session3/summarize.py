import json, glob, csv, statistics as st, sys, re
groups = {
 "b-gen": ["b-sib-p1-s0","b-sib-p1-s1","b-sib-p1-s2"],
 "b-sasrec8": ["b-sasrec-s0","b-sasrec-s1","b-sasrec-s2"],
 "b-sasrec-conv": ["b-sasrec-conv-s0"],
 "t-gen": ["t-sib-p1-s0"], "t-sasrec8": ["t-sasrec-s0"],
 "b-sib-p2": ["b-item-sib-s0"], "b-cat-p2": ["b-item-cat-s0"],
}
keys = ["ndcg@10","recall@10","ndcg@20","recall@20","mrr@20","coverage@10","novelty@10"]
def fmt(v):
    if not v: return "-"
    return f"{v[0]:.4f}" if len(v)==1 else f"{st.mean(v):.4f} ± {st.stdev(v):.4f}"
def val_best(name):
    fs = glob.glob(f"runs/exp/{name}/*/version_*/metrics.csv")
    if not fs: return None, None
    rows=[float(r["val/ndcg@10"]) for r in csv.DictReader(open(fs[0])) if r.get("val/ndcg@10")]
    if not rows: return None, None
    return max(rows), rows.index(max(rows))+1
for g, names in groups.items():
    ms=[]; vals=[]; eps=[]; cpu=[]
    for n in names:
        try: ms.append(json.load(open(f"runs/exp/{n}/test_metrics.json"))["metrics"])
        except Exception: pass
        v,e=val_best(n)
        if v: vals.append(v); eps.append(e)
        try:
            t=open(f"runs/exp/{n}/times.txt").read(); m=re.search(r"cpu_s=([\d.]+)\+([\d.]+)",t)
            if m: cpu.append((float(m.group(1))+float(m.group(2)))/60)
        except Exception: pass
    cols=[fmt([m[f"test/{k}"] for m in ms if f"test/{k}" in m]) for k in keys]
    print(f"| {g} | {len(ms)} | " + " | ".join(cols) + f" | {fmt(vals)} | {eps} | {fmt(cpu)} |")
