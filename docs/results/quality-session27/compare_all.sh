#!/usr/bin/env bash
# Session 27: `lightlm compare --by item_train_count` into docs/results/quality-session27/compare/, validation only:
# the README's Beauty student (session 25's scoring of runs/s23/b-emat-sS) against each screen of this session
# (runs/s27/NAME-sS, the seeds that exist, averaged per user) and against its own re-ranking with another prefix
# weight (runs/s27/pw/W-sS).
. .venv/bin/activate
o=docs/results/quality-session27/compare; mkdir -p $o
Q=runs/s25/paired
M="--metrics ndcg@10 recall@10 mrr@20 --by item_train_count --bins 4"
base() { for f in "$@"; do echo $Q/beauty-kd-emat-s$(basename $(dirname $f) | sed 's/.*-s//')/val.parquet; done; }
for n in b-cat0.5 b-cat1.0 b-enc4 b-head1 b-t2 b-c50 b-sasshape; do
  files=$(ls runs/s27/$n-s[012]/val_users.parquet 2>/dev/null); [ -n "$files" ] || continue
  lightlm compare --a $(base $files) --b $files --names "student (README commands)" "$n" $M --out $o/$n-val.json
done
for w in 0.9 1.1; do
  files=$(ls runs/s27/pw/$w-s[012]/val.parquet)
  lightlm compare --a $(base $files) --b $files --names "prefix weight 1" "prefix weight $w" $M --out $o/pw$w-val.json
done
