#!/usr/bin/env bash
# usage: pw_sweep.sh W: the Beauty students taught by the averaged SASRec-CE (b-emat-s0..2, session 23) re-ranked
# with --model.init_args.prefix_weight W (rank by W x log p(cluster) + log p(item | cluster); inference only), on
# all validation users, with per-user files (code /work/frozen24b = 33c2388), into runs/s24/pw/b-emat-sS-wW/.
# Their test split is not read. W = 1 is their own ranking (runs/s24/paired/beauty-kd-emat-sS).
w=$1
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen24b
for s in 0 1 2; do
  t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  d=runs/s23/b-emat-s$s; o=runs/s24/pw/b-emat-s$s-w$w; mkdir -p $o
  .venv/bin/lightlm validate --config conf/beauty-distilled.yaml --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt \
    --seed_everything $s --data.seed $s --data.val_users null --trainer.logger false --trainer.enable_progress_bar false \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet \
    --model.init_args.prefix_weight $w --results.path $o/val.json --results.per_user $o/val.parquet > $o/val.log 2>&1
done
