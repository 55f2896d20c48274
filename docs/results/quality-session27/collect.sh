#!/usr/bin/env bash
# Copies the small result files of session 27's runs (folder runs/s27) into docs/results/quality-session27/: per
# screen run its validation history, times and all-validation-users metrics (val_all.json); per prefix weight and
# seed the all-validation-users metrics (pw/W-sS/val.json); the scripts. compare_all.sh writes compare/ there
# itself. The per-user files stay in runs/s27. Nothing here read the test split.
out=docs/results/quality-session27; mkdir -p $out
for d in runs/s27/b-*-s[0-9]; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1); [ -f $d/val_all.json ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $d/val_all.json $out/$n/
done
for d in runs/s27/pw/*-s[0-9]; do mkdir -p $out/pw/$(basename $d); cp $d/val.json $out/pw/$(basename $d)/; done
cp runs/s27/*.sh runs/s27/*.py $out/ 2>/dev/null
