#!/usr/bin/env bash
# usage: toys_k50.sh S: the Toys distilled student of seed S, patience 6, teacher runs/s15/sas-t-pat6-sS,
# one change: 50 KMeans clusters of the teacher's embeddings instead of 100 (validation only)
s=$1
exec runs/s16/fit.sh t-kd-k50-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
  --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet \
  --data.indexer.init_args.codebook_size 50 --trainer.callbacks.patience 6
