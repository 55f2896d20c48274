#!/usr/bin/env bash
# Session 12 queue, second part (the prefix-weight sweep made the Toys base runs unnecessary: lanes.sh was
# stopped after its Beauty base runs). SASRec-CE given the care the generative model got, one change each.
F=runs/s12/fit.sh
wait_for() { while [ ! -f runs/s12/$1/times.txt ]; do sleep 20; done; }
lane_a() {
  wait_for b-base-s1
  $F sas-b-d128-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.d_model 128 --model.init_args.export_embeddings null
}
lane_b() {
  wait_for b-base-s2
  $F sas-b-drop02-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.dropout 0.2 --model.init_args.export_embeddings null
}
"$@"
