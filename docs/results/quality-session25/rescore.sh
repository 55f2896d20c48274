#!/usr/bin/env bash
# Session 25: the runs behind the README's Beauty and Toys generative-vs-SASRec-CE rows scored again (best checkpoint,
# all validation users and test) with per-user files that carry item_train_count and history_len (code
# /work/frozen25), into runs/s25/paired/NAME/, for `lightlm compare --by`. The test figures must replay the
# recorded ones (session 24's replay.py); nothing is chosen from them. Run niced beside the screens.
score() {  # score OUT_NAME RUN_DIR CONFIG SEED [overrides]
  local n=$1 d=$2 cfg=$3 s=$4; shift 4
  local o=runs/s25/paired/$n; mkdir -p $o
  local common="--config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s --data.seed $s
    --trainer.logger false --trainer.enable_progress_bar false"
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen25 .venv/bin/lightlm validate $common \
    --data.val_users null --results.path $o/val.json --results.per_user $o/val.parquet "$@" > $o/val.log 2>&1
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen25 .venv/bin/lightlm test $common \
    --results.path $o/test.json --results.per_user $o/test.parquet "$@" > $o/test.log 2>&1
}
NOEXP="--model.init_args.export_embeddings null"
for s in 0 1 2; do
  t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  score beauty-sas-ema-s$s $t conf/beauty-sasrec-windows.yaml $s $NOEXP
  score beauty-kd-emat-s$s runs/s23/b-emat-s$s conf/beauty-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
for s in 0 1 2; do
  t=runs/s19/sas-t-s$s
  score toys-sas-s$s $t conf/toys-sasrec-windows.yaml $s $NOEXP
  score toys-kd-ema-s$s runs/s22/t-ema-s$s conf/toys-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
