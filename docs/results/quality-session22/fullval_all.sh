#!/usr/bin/env bash
# Session 22: the full validations as they ran (one at a time, each after its run ended), through fullval.sh.
toys() {  # toys NAME SEED: a Toys student taught by sessions 19-20's teacher of its seed
  runs/s22/fullval.sh $1 conf/toys-distilled.yaml $2 --model.init_args.distill_from runs/s19/sas-t-s$2/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$2/item_embeddings.parquet
}
beauty() {  # beauty NAME SEED: a Beauty student taught by sessions 20-21's teacher of its seed, their code
  FROZEN=/work/frozen21 runs/s22/fullval.sh $1 conf/beauty-distilled.yaml $2 \
    --model.init_args.distill_from runs/s20/sas-b-s$2/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$2/item_embeddings.parquet
}
for s in 0 1 2; do toys t-e20-s$s $s; toys t-ema-s$s $s; done
for s in 0 1 2; do runs/s22/fullval.sh sas-ema-s$s conf/toys-sasrec-windows.yaml $s --model.init_args.export_embeddings null; done
for s in 0 1 2; do beauty b-ema-s$s $s; done
runs/s22/fullval.sh sas-b-ema-s0 conf/beauty-sasrec-windows.yaml 0 --model.init_args.export_embeddings null
