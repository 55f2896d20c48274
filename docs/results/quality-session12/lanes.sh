#!/usr/bin/env bash
# Session 12 queue, two lanes (one core each). Lane A waits for sas-b-drop05-s0, lane B for b-base-s0.
F=runs/s12/fit.sh
wait_for() { while [ ! -f runs/s12/$1/times.txt ]; do sleep 20; done; }
lane_a() {
  wait_for sas-b-drop05-s0
  $F b-base-s1 conf/beauty-items.yaml --seed_everything 1 --data.seed 1
  $F t-base-s0 conf/toys-items.yaml --seed_everything 0 --data.seed 0
  $F t-base-s2 conf/toys-items.yaml --seed_everything 2 --data.seed 2
}
lane_b() {
  wait_for b-base-s0
  $F b-base-s2 conf/beauty-items.yaml --seed_everything 2 --data.seed 2
  $F t-base-s1 conf/toys-items.yaml --seed_everything 1 --data.seed 1
  $F sas-b-d128-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.d_model 128 --model.init_args.export_embeddings null
}
"$@"
