#!/usr/bin/env bash
# usage: fullval.sh NAME CONFIG SEED [overrides]: the run runs/s24/NAME validated on all validation users from its
# best checkpoint (--data.val_users null; the test split is not read), one thread, with the code of $FROZEN
# (default /work/frozen24 = c98f2a0). The calls as they ran: jobs.sh.
n=$1; cfg=$2; seed=$3; shift 3
d=runs/s24/$n
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=${FROZEN:-/work/frozen24}
.venv/bin/lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed \
  --data.seed $seed --data.val_users null --trainer.logger false --trainer.enable_progress_bar false \
  --results.path $d/val_all.json "$@" > $d/val_all.log 2>&1
