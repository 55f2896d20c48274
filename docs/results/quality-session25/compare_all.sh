#!/usr/bin/env bash
# Session 25: `lightlm compare --by item_train_count` (code: main at 1808f8a or later) into
# docs/results/quality-session25/compare/: (1) the README rows' models (rescore.sh's per-user files), SASRec-CE
# against the student, Beauty, Toys and MovieLens-100k (rescore_ml.sh), validation and test, within quartiles of the held-out item's training
# interactions; (2) the screens against their base (b-emat-sS rescored), all validation users.
. .venv/bin/activate
o=docs/results/quality-session25/compare; mkdir -p $o
P=runs/s25/paired
M="--metrics ndcg@10 recall@10 mrr@20 --by item_train_count --bins 4"
for split in val test; do
  lightlm compare --a $P/beauty-sas-ema-s{0,1,2}/$split.parquet --b $P/beauty-kd-emat-s{0,1,2}/$split.parquet \
    --names "SASRec-CE, averaged" "student (README commands)" $M --out $o/beauty-$split.json
  lightlm compare --a $P/toys-sas-s{0,1,2}/$split.parquet --b $P/toys-kd-ema-s{0,1,2}/$split.parquet \
    --names "SASRec-CE" "student, EMA K=4" $M --out $o/toys-$split.json
  lightlm compare --a $P/ml-sas-s{0,1,2}/$split.parquet --b $P/ml-kd-s{0,1,2}/$split.parquet \
    --names "SASRec-CE, averaged" "student (README commands)" $M --out $o/ml-$split.json
done
for screen in dw75 dw90 ema995 dp4; do
  files=$(ls runs/s25/$screen-s[012]/val_users.parquet 2>/dev/null); [ -n "$files" ] || continue
  seeds=$(for f in $files; do basename $(dirname $f) | sed 's/.*-s//'; done)
  base=$(for s in $seeds; do echo $P/beauty-kd-emat-s$s/val.parquet; done)
  lightlm compare --a $base --b $files --names "student (distill_weight 0.5, EMA 0.99)" "$screen" $M \
    --out $o/$screen-val.json
done
