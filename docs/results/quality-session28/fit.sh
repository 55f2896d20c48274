#!/usr/bin/env bash
# usage: fit.sh NAME CONFIG [overrides...]: fit only (test later, once, for the chosen runs)
# Runs a frozen worktree's code ($FROZEN, default /work/frozen27 = f5309b0, distill_catalogue), so edits on
# main cannot change a queued run.
name=$1; cfg=$2; shift 2
d=runs/s28/$name; mkdir -p $d
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=${FROZEN:-/work/frozen27}
. .venv/bin/activate
start=$(date +%s)
TIMEFORMAT='cpu_s=%U+%S'
{ time lightlm fit --config $cfg --checkpoint.dirpath $d/ck --trainer.logger lightning.pytorch.loggers.CSVLogger --trainer.logger.init_args.save_dir $d --trainer.enable_progress_bar false "$@" > $d/fit.log 2>&1 ; } 2> $d/cpu.txt
echo "fit_s=$(( $(date +%s) - start )) $(cat $d/cpu.txt)" > $d/times.txt
