# Sourced by rescore.sh and rescore_ml.sh (session 26): score OUT_NAME RUN_DIR CONFIG SEED [overrides] scores a run's
# best checkpoint on all validation users and on test with per-user files (code /work/frozen26), into
# runs/s26/paired/OUT_NAME/.
score() {  # score OUT_NAME RUN_DIR CONFIG SEED [overrides]
  local n=$1 d=$2 cfg=$3 s=$4; shift 4
  local o=runs/s26/paired/$n; mkdir -p $o
  local common="--config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s --data.seed $s
    --trainer.logger false --trainer.enable_progress_bar false"
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen26 .venv/bin/lightlm validate $common \
    --data.val_users null --results.path $o/val.json --results.per_user $o/val.parquet "$@" > $o/val.log 2>&1
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen26 .venv/bin/lightlm test $common \
    --results.path $o/test.json --results.per_user $o/test.parquet "$@" > $o/test.log 2>&1
}
