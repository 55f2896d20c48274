#!/usr/bin/env bash
# Copies the small result files of every session-9 run into docs/results/quality-session10/.
out=docs/results/quality-session10; mkdir -p $out
for d in runs/s10/b-* runs/s10/t-*; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -f "$d/times.txt" ] && [ -n "$m" ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done
done
# jobs.sh is the queue as it ran; step_loss_s0.json: benchmarks/step_loss.py on two runs.
cp runs/s10/{fit.sh,test.sh,worker.sh,collect.sh} $out/
cp runs/s10/jobs.sh runs/s10/step_loss_s0.json $out/
