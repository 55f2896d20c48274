#!/usr/bin/env bash
# usage: toys_init.sh S: the Toys distilled student of seed S, patience 6, teacher runs/s15/sas-t-pat6-sS, d_model 128,
# one change against toys_d128.sh: its item rows start at the teacher's item embeddings (validation only)
s=$1
FROZEN=/work/frozen17 exec runs/s17/fit.sh t-kd-d128-init-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --model.init_args.d_model 128 --model.init_args.init_items_from_teacher true --trainer.callbacks.patience 6
