#!/usr/bin/env bash
# Session 22: test, read once, of the Beauty students with the average (conf/beauty-distilled.yaml plus EMAWeights
# 0.99), chosen on all validation users over sessions 20-21's base students; against their teachers' test of
# session 21. Code: 3fa59fd (/work/frozen21), the code they were trained with.
export FROZEN=/work/frozen21
for s in 0 1 2; do
  runs/s22/test.sh b-ema-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet
done
