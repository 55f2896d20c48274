#!/usr/bin/env bash
# Session 24: the label-smoothing-0 students (b-ls0-sS, paired_eval_val.sh) against their base (b-emat-sS, session 23)
# on all Beauty validation users, into docs/results/quality-session24/compare/ls0-val.json.
. .venv/bin/activate
lightlm compare --a runs/s24/paired/beauty-kd-emat-s{0,1,2}/val.parquet --b runs/s24/screens/b-ls0-s{0,1,2}/val.parquet \
  --names "label smoothing 0.1" "label smoothing 0" --metrics ndcg@10 recall@10 mrr@20 \
  --out docs/results/quality-session24/compare/ls0-val.json
