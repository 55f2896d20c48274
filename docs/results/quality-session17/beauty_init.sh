#!/usr/bin/env bash
# usage: beauty_init.sh S: the Beauty distilled student of seed S (conf/beauty-distilled.yaml, patience 6), teacher
# runs/s16/sas-b-pat6-sS, d_model 128 with its item rows started at the teacher's item embeddings (validation only)
s=$1
FROZEN=/work/frozen17 exec runs/s17/fit.sh b-kd-d128-init-pat6-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s16/sas-b-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s16/sas-b-pat6-s$s/item_embeddings.parquet \
  --model.init_args.d_model 128 --model.init_args.init_items_from_teacher true --trainer.callbacks.patience 6
