#!/usr/bin/env bash
# Session 20: the student's training cost before (edb33a2, /work/frozen19) and after (696e837,
# /work/frozen20: wide sibling sets scored one matmul per trie node, no division at temperature 1),
# Toys, seed 1, teacher runs/s19/sas-t-s1, 2 epochs with validation, one thread, in turns (old, new)
# on one core while the other core trains (the same load for both), first K=0, then K=4.
ab() {  # ab NAME FROZEN [overrides]
  local n=$1 f=$2; shift 2
  FROZEN=$f runs/s19/fit.sh ab/$n conf/toys-distilled.yaml --seed_everything 1 --data.seed 1 \
    --model.init_args.distill_from runs/s19/sas-t-s1/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s1/item_embeddings.parquet --trainer.max_epochs 2 "$@"
}
ab k0-old /work/frozen19; ab k0-new /work/frozen20
ab k4-old /work/frozen19 --model.init_args.distill_prefixes 4; ab k4-new /work/frozen20 --model.init_args.distill_prefixes 4
