#!/usr/bin/env bash
# Session 20: test, read once, of this session's Toys teachers (SASRec-CE, patience 6, trained again) and
# the K=4 students chosen on validation (conf/toys-distilled.yaml with distill_prefixes 4). Code: 696e837.
export FROZEN=/work/frozen20
for s in 0 1 2; do
  runs/s19/test.sh sas-t-s$s conf/toys-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.export_embeddings null
  runs/s19/test.sh t-kdp4-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet
done
