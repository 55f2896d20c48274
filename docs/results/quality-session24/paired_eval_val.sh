#!/usr/bin/env bash
# usage: paired_eval_val.sh OUT_NAME RUN_DIR CONFIG SEED [overrides]: paired_eval.sh's validation half only (all
# validation users, per-user file; code /work/frozen24b = 33c2388), into runs/s24/screens/OUT_NAME/; the test split
# is not read. For screens, whose test is read only if they are chosen.
n=$1; d=$2; cfg=$3; s=$4; shift 4
o=runs/s24/screens/$n; mkdir -p $o
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen24b
.venv/bin/lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s \
  --data.seed $s --trainer.logger false --trainer.enable_progress_bar false --data.val_users null \
  --results.path $o/val.json --results.per_user $o/val.parquet "$@" > $o/val.log 2>&1
