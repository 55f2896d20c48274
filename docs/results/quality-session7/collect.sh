#!/usr/bin/env bash
# Copies the small result files of every session-7 run into docs/results/quality-session7/.
out=docs/results/quality-session7; mkdir -p $out
for d in runs/s7/b-* runs/s7/t-*; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -f "$d/times.txt" ] && [ -n "$m" ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done
done
# jobs.sh here is the tidied record of the queue; best.py is quality-session5's, unchanged.
cp runs/s7/{fit.sh,test.sh,worker.sh,collect.sh} $out/
