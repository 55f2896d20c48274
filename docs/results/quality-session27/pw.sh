#!/usr/bin/env bash
# Session 27: the README's Beauty students (runs/s23/b-emat-sS, best checkpoints) re-ranked with
# --model.init_args.prefix_weight W (inference only: W x log p(cluster) + log p(item | cluster)) on all
# validation users, per-user files into runs/s27/pw/W-sS/ (code /work/frozen25, as session 25's scoring of
# the same checkpoints at W = 1); the test split is not read. usage: pw.sh SEED W...
s=$1; shift
t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
for w in "$@"; do
  o=runs/s27/pw/$w-s$s; mkdir -p $o
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen25 .venv/bin/lightlm validate \
    --config conf/beauty-distilled.yaml --checkpoint.dirpath runs/s23/b-emat-s$s/ck \
    --ckpt_path runs/s23/b-emat-s$s/ck/best.ckpt --seed_everything $s --data.seed $s --trainer.logger false \
    --trainer.enable_progress_bar false --data.val_users null --results.path $o/val.json \
    --results.per_user $o/val.parquet --model.init_args.prefix_weight $w \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet \
    > $o/val.log 2>&1
done
