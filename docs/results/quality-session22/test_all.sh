#!/usr/bin/env bash
# Session 22: test, read once, of the chosen Toys configuration's runs (the K=4 students with EMA 0.99, chosen on
# all validation users over the K=4 students of sessions 19-20, whose test reads are in quality-session19/).
# Code: 8180b1a (/work/frozen22). The SASRec-CE baseline's test: its teachers' (session 20) unless SASRec-CE
# with the same EMA validates higher (test_sas_ema.sh).
for s in 0 1 2; do
  runs/s22/test.sh t-ema-s$s conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet
done
