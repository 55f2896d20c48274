#!/usr/bin/env bash
# Copies the small result files of session 28's runs (folder runs/s28) into docs/results/quality-session28/: per
# screen run its validation history, times and all-validation-users metrics (val_all.json); the scripts and the
# embedding files' maker (debias.py). compare_all.sh writes compare/ there
# itself. The per-user files stay in runs/s28. Nothing here read the test split.
out=docs/results/quality-session28; mkdir -p $out
for d in runs/s28/b-*-s[0-9]; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1); [ -f $d/val_all.json ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $d/val_all.json $out/$n/
done
cp runs/s28/*.sh runs/s28/*.py $out/ 2>/dev/null
