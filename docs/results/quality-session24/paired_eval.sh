#!/usr/bin/env bash
# usage: paired_eval.sh OUT_NAME RUN_DIR CONFIG SEED [overrides]: the best checkpoint of an earlier run scored again,
# on all validation users and on test, with --results.per_user (code: /work/frozen24b = 33c2388, which adds
# only that file to the evaluation), into runs/s24/paired/OUT_NAME/. No setting is chosen from these files: the
# test figures must replay the run's recorded test_metrics.json, and they are read for the paired interval only.
n=$1; d=$2; cfg=$3; s=$4; shift 4
o=runs/s24/paired/$n; mkdir -p $o
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen24b
common="--config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s --data.seed $s
  --trainer.logger false --trainer.enable_progress_bar false"
.venv/bin/lightlm validate $common --data.val_users null --results.path $o/val.json --results.per_user $o/val.parquet \
  "$@" > $o/val.log 2>&1
.venv/bin/lightlm test $common --results.path $o/test.json --results.per_user $o/test.parquet "$@" > $o/test.log 2>&1
