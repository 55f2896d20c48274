#!/usr/bin/env bash
# Session 20: beam search (20 beams) against the exact scorer on 1,000 seeded random validation users,
# seed 0's K=4 student and its same-teacher base student (K=0), one thread each, side by side. Code: 696e837.
. .venv/bin/activate
export OMP_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen20
for n in t-kdp4-s0 t-kd-s0; do
  python benchmarks/beam_gap.py --config runs/s19/toys-kdp4-s0.yaml --ckpt runs/s19/$n/ck/best.ckpt --users 1000 \
    --json runs/s19/$n/beam_gap.json > runs/s19/$n/beam_gap.log 2>&1 &
done
wait
