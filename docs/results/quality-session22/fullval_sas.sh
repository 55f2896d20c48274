#!/usr/bin/env bash
# usage: fullval_sas.sh NAME SEED: the SASRec-CE run runs/s22/NAME validated on all validation users from its best
# checkpoint (the test split is not read), one thread.
n=$1; s=$2; d=runs/s22/$n
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen22 .venv/bin/lightlm validate \
  --config conf/toys-sasrec-windows.yaml --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s \
  --data.seed $s --model.init_args.export_embeddings null \
  --data.val_users null --trainer.logger false --trainer.enable_progress_bar false --results.path $d/val_all.json \
  > $d/val_all.log 2>&1
