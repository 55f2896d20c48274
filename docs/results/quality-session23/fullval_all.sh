#!/usr/bin/env bash
# Session 23: the full validations as they ran (one at a time, each after its run ended), through fullval.sh.
FROZEN=/work/frozen21 runs/s23/fullval.sh b-emat-s0 conf/beauty-distilled.yaml 0 \
  --model.init_args.distill_from runs/s22/sas-b-ema-s0/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s22/sas-b-ema-s0/item_embeddings.parquet
runs/s23/fullval.sh sas-b-ema-s2 conf/beauty-sasrec-windows.yaml 2 --model.init_args.export_embeddings null
runs/s23/fullval.sh sas-b-ema-s1 conf/beauty-sasrec-windows.yaml 1 --model.init_args.export_embeddings null
beauty0() {  # beauty0 NAME [overrides]: a seed-0 Beauty student taught by sessions 20-21's teacher sas-b-s0, their code
  local n=$1; shift
  FROZEN=/work/frozen21 runs/s23/fullval.sh $n conf/beauty-distilled.yaml 0 \
    --model.init_args.distill_from runs/s20/sas-b-s0/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s0/item_embeddings.parquet "$@"
}
beauty0 b-ff256-s0 --model.init_args.d_ff 256
beauty0 b-do0-s0 --model.init_args.dropout 0.0
beauty0 b-lr6-s0 --model.init_args.lr 0.006
beauty0 b-id2-s0 --model.init_args.input_dropout 0.2
beauty0 b-bs128-s0 --data.batch_size 128
beauty0 b-c200-s0 --data.indexer.init_args.codebook_size 200
for s in 1 2; do
  FROZEN=/work/frozen21 runs/s23/fullval.sh b-emat-s$s conf/beauty-distilled.yaml $s \
    --model.init_args.distill_from runs/s23/sas-b-ema-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s23/sas-b-ema-s$s/item_embeddings.parquet
done
