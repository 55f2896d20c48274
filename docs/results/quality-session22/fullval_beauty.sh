#!/usr/bin/env bash
# usage: fullval_beauty.sh NAME SEED: the Beauty student runs/s22/NAME validated on all validation users from its
# best checkpoint (the test split is not read), one thread, the code it was trained with (/work/frozen21).
n=$1; s=$2; d=runs/s22/$n
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen21 .venv/bin/lightlm validate \
  --config conf/beauty-distilled.yaml --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $s \
  --data.seed $s --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet \
  --data.val_users null --trainer.logger false --trainer.enable_progress_bar false --results.path $d/val_all.json \
  > $d/val_all.log 2>&1
