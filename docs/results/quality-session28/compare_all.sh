#!/usr/bin/env bash
# Session 28: `lightlm compare --by item_train_count` into docs/results/quality-session28/compare/, validation only:
# the README's Beauty student (session 25's scoring of runs/s23/b-emat-sS) against each screen of this session
# (runs/s28/NAME-sS, the seeds that exist, averaged per user).
. .venv/bin/activate
o=docs/results/quality-session28/compare; mkdir -p $o
Q=runs/s25/paired
M="--metrics ndcg@10 recall@10 mrr@20 --by item_train_count --bins 4"
base() { for f in "$@"; do echo $Q/beauty-kd-emat-s$(basename $(dirname $f) | sed 's/.*-s//')/val.parquet; done; }
for n in ${@:-b-debias b-wd0}; do
  files=$(ls runs/s28/$n-s[012]/val_users.parquet 2>/dev/null); [ -n "$files" ] || continue
  lightlm compare --a $(base $files) --b $files --names "student (README commands)" "$n" $M --out $o/$n-val.json
done
