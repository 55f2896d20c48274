#!/usr/bin/env bash
# Session 25: session 24's MovieLens-100k runs (SASRec-CE averaged, the student taught by it) scored again with the
# new per-user columns, as rescore.sh does for Beauty and Toys (code /work/frozen25), into runs/s25/paired/.
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
ML="--data.path runs/s24/data/ml100k.csv --data.format auto --data.log.user_col user_id --data.log.item_col item_id
    --data.log.time_col timestamp --data.log.k_core 5"
for s in 0 1 2; do
  t=runs/s24/ml-sas-s$s
  score ml-sas-s$s $t conf/beauty-sasrec-windows.yaml $s $ML $NOEXP
  score ml-kd-s$s runs/s24/ml-kd-s$s conf/beauty-distilled.yaml $s $ML \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
done
