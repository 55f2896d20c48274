#!/usr/bin/env bash
# usage: val_users.sh NAME CONFIG SEED [overrides]: the run runs/s28/NAME validated from its best checkpoint on all
# validation users with a per-user file (code /work/frozen27 = f5309b0), into
# runs/s28/NAME/val_all.json and val_users.parquet; the test split is not read.
n=$1; cfg=$2; s=$3; shift 3
d=runs/s28/$n
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen27
.venv/bin/lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s \
  --data.seed $s --trainer.logger false --trainer.enable_progress_bar false --data.val_users null \
  --results.path $d/val_all.json --results.per_user $d/val_users.parquet "$@" > $d/val_all.log 2>&1
