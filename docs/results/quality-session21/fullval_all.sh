#!/usr/bin/env bash
# Session 21: fullval.sh over the Beauty teachers and their base and K=4 students, two at a time.
lane() {  # lane SEEDS...
  for s in "$@"; do
    runs/s21/fullval.sh sas-b-s$s conf/beauty-sasrec-windows.yaml $s --model.init_args.export_embeddings null
    for n in b-kd-s$s b-kdp4-s$s; do
      runs/s21/fullval.sh $n conf/beauty-distilled.yaml $s --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
        --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet
    done
  done
}
lane 0 2 & lane 1 & wait
