#!/usr/bin/env bash
# Session 23: test, read once, of Beauty's SASRec-CE with the weight average (conf/beauty-sasrec-windows.yaml plus
# EMAWeights 0.99; seed 0 trained in session 22, seeds 1-2 in this one), chosen over the un-averaged SASRec-CE on
# all validation users (every seed). Code: 8180b1a (/work/frozen22), the code they were trained with.
runs/s22/test.sh sas-b-ema-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 \
  --model.init_args.export_embeddings null
for s in 1 2; do
  runs/s23/test.sh sas-b-ema-s$s conf/beauty-sasrec-windows.yaml --seed_everything $s --data.seed $s \
    --model.init_args.export_embeddings null
done
