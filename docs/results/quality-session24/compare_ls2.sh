#!/usr/bin/env bash
# Session 24: the label-smoothing-0.2 students (b-ls2-sS) against their base (b-emat-sS, 0.1) on all Beauty validation
# users, into docs/results/quality-session24/compare/ls2-val.json.
. .venv/bin/activate
lightlm compare --a runs/s24/paired/beauty-kd-emat-s{0,1,2}/val.parquet --b runs/s24/screens/b-ls2-s{0,1,2}/val.parquet \
  --names "label smoothing 0.1" "label smoothing 0.2" --metrics ndcg@10 recall@10 mrr@20 \
  --out docs/results/quality-session24/compare/ls2-val.json
