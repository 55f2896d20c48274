#!/usr/bin/env bash
# Session 24: the prefix-weight re-rankings (pw_sweep.sh) against the students' own ranking (W = 1), all Beauty
# validation users, into docs/results/quality-session24/compare/pw-*.json.
out=docs/results/quality-session24/compare
. .venv/bin/activate
for w in 0.85 1.2; do
  lightlm compare --a runs/s24/paired/beauty-kd-emat-s{0,1,2}/val.parquet --b runs/s24/pw/b-emat-s{0,1,2}-w$w/val.parquet \
    --names "W = 1" "W = $w" --metrics ndcg@10 recall@10 mrr@20 --out $out/pw-$w-val.json
done
