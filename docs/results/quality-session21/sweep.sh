#!/usr/bin/env bash
# usage: sweep.sh RUN_DIR SEED CONFIG WEIGHTS... [-- overrides]: re-rank RUN_DIR's best checkpoint on the
# validation users it was chosen on, once per --model.prefix_weight (an inference option). Session 21.
d=$1; seed=$2; cfg=$3; shift 3
weights=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do weights+=("$1"); shift; done; shift
mkdir -p $d/sweep
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen21
. .venv/bin/activate
for w in "${weights[@]}"; do
  [ -f $d/sweep/w$w.json ] && continue
  lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed \
    --data.seed $seed --model.prefix_weight $w --trainer.logger false --trainer.enable_progress_bar false \
    --results.path $d/sweep/w$w.json "$@" > $d/sweep/w$w.log 2>&1
done
