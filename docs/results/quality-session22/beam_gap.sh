#!/usr/bin/env bash
# Session 22: beam search (20 beams) against the exact scorer on 1,000 seeded random validation users, seed 0's
# EMA student (its best checkpoint holds the averaged weights), one thread. Code: 8180b1a (/work/frozen22).
. .venv/bin/activate
export OMP_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen22
python benchmarks/beam_gap.py --config runs/s19/toys-kdp4-s0.yaml --ckpt runs/s22/t-ema-s0/ck/best.ckpt --users 1000 \
  --json runs/s22/t-ema-s0/beam_gap.json > runs/s22/t-ema-s0/beam_gap.log 2>&1
