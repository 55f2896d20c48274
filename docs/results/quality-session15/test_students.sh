#!/usr/bin/env bash
# The three Toys students (patience 6), tested once each, after the last one's fit
while [ ! -f runs/s15/t-sas-kd-pat6-s2/times.txt ]; do sleep 15; done
for s in 0 1 2; do
  runs/s15/test.sh t-sas-kd-pat6-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s15/sas-t-pat6-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet
done
