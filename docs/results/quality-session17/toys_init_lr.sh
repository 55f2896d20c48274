#!/usr/bin/env bash
# usage: toys_init_lr.sh S: as toys_init.sh (d_model 128, item rows from the teacher), one change: lr 0.001
# instead of 0.003 (the item rows start trained; validation only)
s=$1
FROZEN=/work/frozen17 exec runs/s17/fit.sh t-kd-d128-init-lr1-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --model.init_args.d_model 128 --model.init_args.init_items_from_teacher true --model.init_args.lr 0.001 \
  --trainer.callbacks.patience 6
