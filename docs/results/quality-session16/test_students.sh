#!/usr/bin/env bash
# The three Beauty students (patience 6), tested once each, after the last one's fit
while [ ! -f runs/s16/b-sas-kd-pat6-s1/times.txt ]; do sleep 15; done
for s in 0 1 2; do
  runs/s16/test.sh b-sas-kd-pat6-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s16/sas-b-pat6-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s16/sas-b-pat6-s$s/item_embeddings.parquet
done
