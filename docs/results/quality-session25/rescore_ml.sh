#!/usr/bin/env bash
# Session 25: session 24's MovieLens-100k runs (SASRec-CE averaged, the student taught by it) scored again with the
# new per-user columns, as rescore.sh does for Beauty and Toys (code /work/frozen25), into runs/s25/paired/.
. runs/s25/score.sh
NOEXP="--model.init_args.export_embeddings null"
ML="--data.path runs/s24/data/ml100k.csv --data.format auto --data.log.user_col user_id --data.log.item_col item_id
    --data.log.time_col timestamp --data.log.k_core 5"
for s in 0 1 2; do
  t=runs/s24/ml-sas-s$s
  score ml-sas-s$s $t conf/beauty-sasrec-windows.yaml $s $ML $NOEXP
  score ml-kd-s$s runs/s24/ml-kd-s$s conf/beauty-distilled.yaml $s $ML \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
