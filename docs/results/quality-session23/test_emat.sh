#!/usr/bin/env bash
# Session 23: test, read once, of the Beauty students taught by the averaged SASRec-CE (b-emat-sS): the pipeline the
# README's Beauty commands now run (conf/beauty-sasrec-windows.yaml with the average, then conf/beauty-distilled.yaml).
# Code: 3fa59fd (/work/frozen21), the students' own; teachers: sas-b-ema-sS (seed 0 in runs/s22).
export FROZEN=/work/frozen21
for s in 0 1 2; do
  t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  runs/s23/test.sh b-emat-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
