#!/usr/bin/env bash
# usage: toys_d128.sh S: the Toys distilled student of seed S, patience 6, teacher runs/s15/sas-t-pat6-sS,
# one change: d_model 128 (the teacher's width) instead of 64 (validation only)
s=$1
exec runs/s17/fit.sh t-kd-d128-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --model.init_args.d_model 128 --trainer.callbacks.patience 6
