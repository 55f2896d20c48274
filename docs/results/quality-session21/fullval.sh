#!/usr/bin/env bash
# Session 21: each Beauty run's best checkpoint (chosen on 4,096 random validation users) validated on all
# validation users (--data.val_users null): how much of the subset's figure is selection noise. The test
# split is not read. One thread. usage: fullval.sh NAME CONFIG SEED [overrides]
n=$1; cfg=$2; seed=$3; shift 3
d=runs/s20/$n
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen21
. .venv/bin/activate
lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed \
  --data.seed $seed --data.val_users null --trainer.logger false --trainer.enable_progress_bar false \
  --results.path $d/val_all.json "$@" > $d/val_all.log 2>&1
