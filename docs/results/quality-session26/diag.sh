#!/usr/bin/env bash
# usage: diag.sh CLUSTERS OUT_NAME RUN_DIR CONFIG SEED [overrides]: diag.py on the run's best checkpoint, all validation
# users (code /work/frozen25), into runs/s26/diag/OUT_NAME.{parquet,log}; the test split is not read.
c=$1; n=$2; d=$3; cfg=$4; s=$5; shift 5
mkdir -p runs/s26/diag
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen25 .venv/bin/python runs/s26/diag.py \
  $c runs/s26/diag/$n.parquet -- validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt \
  --seed_everything $s --data.seed $s --trainer.logger false --trainer.enable_progress_bar false --data.val_users null "$@" \
  > runs/s26/diag/$n.log 2>&1
