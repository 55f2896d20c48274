#!/usr/bin/env bash
# Session 24: every run behind the README's generative-vs-SASRec-CE rows scored again with per-user files
# (paired_eval.sh), two lanes. Beauty: the averaged SASRec-CE (sas-b-ema, sessions 22-23), the students taught by
# it (b-emat, session 23) and by the plain teachers (b-ema, session 22); Toys: SASRec-CE (sas-t, session 19) and
# the averaged K=4 students (t-ema, session 22); MovieLens-100k: this session's ml_recipe.sh and ml_items.sh runs.
P=runs/s24/paired_eval.sh
NOEXP="--model.init_args.export_embeddings null"
ML="--data.path runs/s24/data/ml100k.csv --data.format auto --data.log.user_col user_id --data.log.item_col item_id
    --data.log.time_col timestamp --data.log.k_core 5"
laneA() {
  for s in 0 1 2; do
    t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
    $P beauty-sas-ema-s$s $t conf/beauty-sasrec-windows.yaml $s $NOEXP
    $P beauty-kd-emat-s$s runs/s23/b-emat-s$s conf/beauty-distilled.yaml $s \
      --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
    $P beauty-kd-ema-s$s runs/s22/b-ema-s$s conf/beauty-distilled.yaml $s \
      --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
      --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet
  done
}
laneB() {
  for s in 0 1 2; do
    t=runs/s19/sas-t-s$s
    $P toys-sas-s$s $t conf/toys-sasrec-windows.yaml $s $NOEXP
    $P toys-kd-ema-s$s runs/s22/t-ema-s$s conf/toys-distilled.yaml $s \
      --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
  done
  for s in 0 1 2; do
    t=runs/s24/ml-sas-s$s
    $P ml-sas-s$s $t conf/beauty-sasrec-windows.yaml $s $ML $NOEXP
    $P ml-kd-s$s runs/s24/ml-kd-s$s conf/beauty-distilled.yaml $s $ML \
      --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
    $P ml-items-s$s runs/s24/ml-items-s$s conf/beauty-items.yaml $s $ML
  done
}
"$@"
