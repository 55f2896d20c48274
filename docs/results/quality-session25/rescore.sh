#!/usr/bin/env bash
# Session 25: the runs behind the README's Beauty and Toys generative-vs-SASRec-CE rows scored again (best checkpoint,
# all validation users and test) with per-user files that carry item_train_count and history_len (code
# /work/frozen25), into runs/s25/paired/NAME/, for `lightlm compare --by`. The test figures must replay the
# recorded ones (session 24's replay.py); nothing is chosen from them. Run niced beside the screens.
. runs/s25/score.sh
NOEXP="--model.init_args.export_embeddings null"
for s in 0 1 2; do
  t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  score beauty-sas-ema-s$s $t conf/beauty-sasrec-windows.yaml $s $NOEXP
  score beauty-kd-emat-s$s runs/s23/b-emat-s$s conf/beauty-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
for s in 0 1 2; do
  t=runs/s19/sas-t-s$s
  score toys-sas-s$s $t conf/toys-sasrec-windows.yaml $s $NOEXP
  score toys-kd-ema-s$s runs/s22/t-ema-s$s conf/toys-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
