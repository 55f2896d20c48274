#!/usr/bin/env bash
# usage: student.sh S: the Toys distilled student of seed S, patience 6, from teacher runs/s15/sas-t-pat6-sS
s=$1
while [ ! -f runs/s15/sas-t-pat6-s$s/times.txt ]; do sleep 15; done
exec runs/s15/fit.sh t-sas-kd-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --trainer.callbacks.patience 6
