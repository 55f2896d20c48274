#!/usr/bin/env bash
# usage: sweep.sh RUN CONFIG SEED WEIGHTS...: re-rank RUN's best checkpoint on the validation users it was
# chosen on, once per --model.prefix_weight (main's code: the option is newer than the frozen tree).
run=$1; cfg=$2; seed=$3; shift 3
d=runs/s12/$run; mkdir -p $d/sweep
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled
. .venv/bin/activate
for w in "$@"; do
  [ -f $d/sweep/w$w.json ] && continue
  lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed \
    --data.seed $seed --model.prefix_weight $w --trainer.logger false --trainer.enable_progress_bar false \
    --results.path $d/sweep/w$w.json > $d/sweep/w$w.log 2>&1
done
