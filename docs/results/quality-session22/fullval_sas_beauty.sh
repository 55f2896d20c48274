#!/usr/bin/env bash
# Session 22: Beauty's SASRec-CE with EMA, seed 0 (runs/s22/sas-b-ema-s0), validated on all validation users from its
# best checkpoint (the test split is not read), one thread. Run as one command at 04:13.
d=runs/s22/sas-b-ema-s0
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen22 .venv/bin/lightlm validate \
  --config conf/beauty-sasrec-windows.yaml --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything 0 \
  --data.seed 0 --model.init_args.export_embeddings null --data.val_users null --trainer.logger false \
  --trainer.enable_progress_bar false --results.path $d/val_all.json > $d/val_all.log 2>&1
