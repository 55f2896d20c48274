#!/usr/bin/env bash
# usage: test.sh NAME CONFIG [overrides...]: test the best checkpoint of runs/s24/NAME, once
name=$1; cfg=$2; shift 2
d=runs/s24/$name
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=${FROZEN:-/work/frozen24}
. .venv/bin/activate
start=$(date +%s)
lightlm test --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --trainer.logger false --trainer.enable_progress_bar false --results.path $d/test_metrics.json "$@" > $d/test.log 2>&1
echo "test_s=$(( $(date +%s) - start ))" >> $d/times.txt
