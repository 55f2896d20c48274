#!/usr/bin/env bash
# Session 26: the Beauty SASRec-CE runs distilled from the averaged SASRec-CE of the same seed (sas-bd-sS) scored
# from their best checkpoint on all validation users and on test, with per-user files (code /work/frozen26), into
# runs/s26/paired/beauty-sas-bd-sS/, beside session 25's beauty-sas-ema-sS (their teachers, the README's baseline)
# and beauty-kd-emat-sS (the README's students, taught by the same teachers).
. runs/s26/score.sh
for s in "$@"; do
  t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  score beauty-sas-bd-s$s runs/s26/sas-bd-s$s conf/beauty-sasrec-windows.yaml $s \
    --model.init_args.export_embeddings null --model.init_args.distill_from $t/ck/last.ckpt
done
