#!/usr/bin/env bash
# usage: adj.sh OUT_NAME RUN_DIR CONFIG SEED [overrides]: adjust.py on the run's best checkpoint, all validation users
# (code /work/frozen25), into runs/s26/adj/OUT_NAME.{parquet,log}; the test split is not read.
n=$1; d=$2; cfg=$3; s=$4; shift 4
mkdir -p runs/s26/adj
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen25 .venv/bin/python runs/s26/adjust.py \
  runs/s26/adj/$n.parquet -- validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt \
  --seed_everything $s --data.seed $s --trainer.logger false --trainer.enable_progress_bar false --data.val_users null "$@" \
  > runs/s26/adj/$n.log 2>&1
