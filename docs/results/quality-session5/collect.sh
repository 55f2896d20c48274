#!/usr/bin/env bash
# Copies the small result files of every session-5 run into docs/results/quality-session5/.
out=docs/results/quality-session5; mkdir -p $out
for d in runs/s5/b-*; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -f "$d/times.txt" ] && [ -n "$m" ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $out/$n/
  [ -f $d/test_metrics.json ] && cp $d/test_metrics.json $out/$n/
done
cp runs/s5/{fit.sh,jobs.sh,worker.sh,best.py,collect.sh} $out/
