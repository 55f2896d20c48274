#!/usr/bin/env bash
# usage: toys_dw08.sh S: the Toys distilled student of seed S, patience 6, teacher runs/s15/sas-t-pat6-sS,
# one change: distillation weight 0.8 instead of 0.5 (validation only)
s=$1
exec runs/s16/fit.sh t-kd-dw08-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --model.init_args.distill_weight 0.8 --trainer.callbacks.patience 6
