#!/usr/bin/env bash
# Session 26: the Toys SASRec-CE runs distilled from the SASRec-CE of the same seed (sas-td-sS) scored from their best
# checkpoint on all validation users and on test, with per-user files (code /work/frozen26), into
# runs/s26/paired/toys-sas-td-sS/, beside session 25's toys-sas-sS (their teachers, the README's Toys baseline) and
# toys-kd-ema-sS (the README's Toys students, taught by the same teachers).
. runs/s26/score.sh
for s in "$@"; do
  score toys-sas-td-s$s runs/s26/sas-td-s$s conf/toys-sasrec-windows.yaml $s \
    --model.init_args.export_embeddings null --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt
done
