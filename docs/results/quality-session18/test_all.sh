#!/usr/bin/env bash
# Session 18: test, read once, of this session's Toys teachers (SASRec-CE, patience 6) and their
# distilled students (conf/toys-distilled.yaml): the chosen configurations rerun under the current code.
export FROZEN=/work/frozen18b
for s in 0 1 2; do
  runs/s18/test.sh sas-t-s$s conf/toys-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.export_embeddings null
  runs/s18/test.sh t-kd-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s18/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s18/sas-t-s$s/item_embeddings.parquet
done
