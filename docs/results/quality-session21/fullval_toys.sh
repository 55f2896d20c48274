#!/usr/bin/env bash
# Session 21: the Toys teachers and K=4 students of sessions 19-20 (runs/s19) validated on all validation users
# from their best checkpoints (the test split is not read), two at a time, one thread each.
one() {  # one NAME CONFIG SEED [overrides]
  local n=$1 cfg=$2 seed=$3 d=runs/s19/$1; shift 3
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen21 .venv/bin/lightlm validate \
    --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed --data.seed $seed \
    --data.val_users null --trainer.logger false --trainer.enable_progress_bar false --results.path $d/val_all.json \
    "$@" > $d/val_all.log 2>&1
}
lane() {  # lane SEEDS...
  for s in "$@"; do
    one sas-t-s$s conf/toys-sasrec-windows.yaml $s --model.init_args.export_embeddings null
    for n in t-kdp4-s$s t-kd-s$s; do
      one $n conf/toys-distilled.yaml $s --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
        --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet
    done
  done
}
lane 0 2 & lane 1 & wait
