#!/usr/bin/env bash
# Session 21: the Beauty student's training cost before (696e837, /work/frozen20) and after (f9ee3aa,
# /work/frozen21b: narrow sibling sets scored by prefix group when the groups hold 4 rows or more, the
# teacher's softmax once per step, the trie's child tokens only), Beauty, seed 1, teacher
# runs/s20/sas-b-s1, 2 epochs with validation, one thread, in turns (old, new) on one core while the
# other core works (the same load for both), first K=0, then K=4.
ab() {  # ab NAME FROZEN [overrides]
  local n=$1 f=$2; shift 2
  FROZEN=$f runs/s20/fit.sh ab/$n conf/beauty-distilled.yaml --seed_everything 1 --data.seed 1 \
    --model.init_args.distill_from runs/s20/sas-b-s1/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s1/item_embeddings.parquet --trainer.max_epochs 2 "$@"
}
ab k0-old /work/frozen20 --model.init_args.distill_prefixes 0; ab k0-new /work/frozen21b --model.init_args.distill_prefixes 0
ab k4-old /work/frozen20 --model.init_args.distill_prefixes 4; ab k4-new /work/frozen21b --model.init_args.distill_prefixes 4
