#!/usr/bin/env bash
# usage: student.sh S: the Beauty distilled student of seed S, patience 6, from teacher runs/s16/sas-b-pat6-sS
s=$1
while [ ! -f runs/s16/sas-b-pat6-s$s/times.txt ]; do sleep 15; done
exec runs/s16/fit.sh b-sas-kd-pat6-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s16/sas-b-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s16/sas-b-pat6-s$s/item_embeddings.parquet \
  --trainer.callbacks.patience 6
