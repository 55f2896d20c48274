#!/usr/bin/env bash
# Session 21: the Toys K=4 students (sessions 19-20, runs/s19/t-kdp4-sS) re-ranked on their validation users
# with --model.prefix_weight 0.85 and 1.25 (1.0 is their recorded best), one thread.
for s in 0 1 2; do
  runs/s21/sweep.sh runs/s19/t-kdp4-s$s $s conf/toys-distilled.yaml 0.85 1.25 -- \
    --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet
done
# seed 0 at W=1.0 as a check that re-ranking replays the recorded best: runs/s21/sweep.sh runs/s19/t-kdp4-s0 0 conf/toys-distilled.yaml 1.0 -- (same overrides)
