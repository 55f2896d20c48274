#!/usr/bin/env bash
# Session 23: the full validations as they ran (one at a time, each after its run ended), through fullval.sh.
FROZEN=/work/frozen21 runs/s23/fullval.sh b-emat-s0 conf/beauty-distilled.yaml 0 \
  --model.init_args.distill_from runs/s22/sas-b-ema-s0/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s22/sas-b-ema-s0/item_embeddings.parquet
runs/s23/fullval.sh sas-b-ema-s2 conf/beauty-sasrec-windows.yaml 2 --model.init_args.export_embeddings null
runs/s23/fullval.sh sas-b-ema-s1 conf/beauty-sasrec-windows.yaml 1 --model.init_args.export_embeddings null
