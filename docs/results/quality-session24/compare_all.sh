#!/usr/bin/env bash
# Session 24: `lightlm compare` over the per-user files of paired_all.sh (3 seeds a side, seeds averaged per user,
# 10,000 bootstrap resamples, seed 0), into docs/results/quality-session24/compare/ (the README's paired table).
P=runs/s24/paired; out=docs/results/quality-session24/compare; mkdir -p $out
. .venv/bin/activate
cmp() {  # cmp A_PREFIX B_PREFIX SPLIT A_NAME B_NAME OUT
  lightlm compare --a $P/$1-s{0,1,2}/$3.parquet --b $P/$2-s{0,1,2}/$3.parquet --names "$4" "$5" \
    --metrics ndcg@10 recall@10 ndcg@20 recall@20 mrr@20 --out $out/$6-$3.json
}
for split in val test; do
  cmp beauty-sas-ema beauty-kd-emat $split "SASRec-CE (averaged)" "student taught by it" beauty-emat
  cmp beauty-sas-ema beauty-kd-ema $split "SASRec-CE (averaged)" "student taught by SASRec-CE unaveraged" beauty-ema
  cmp toys-sas toys-kd-ema $split "SASRec-CE" "student" toys
  cmp ml-sas ml-kd $split "SASRec-CE" "student" ml
  cmp ml-sas ml-items $split "SASRec-CE" "generative, not distilled" ml-items
done
