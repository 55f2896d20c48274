#!/usr/bin/env bash
# Copies the small result files of session 24's runs (folder runs/s24) into docs/results/quality-session24/:
# per run its validation history, times and test metrics; per paired scoring its validation and test metrics
# (the per-user files stay in runs/s24/paired/); the scripts. compare_all.sh writes compare/ there itself.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json val_all.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
out=docs/results/quality-session24; mkdir -p $out/paired
for d in runs/s24/ml-* runs/s24/b-*; do copy $d $out; done
for d in runs/s24/paired/*/; do n=$(basename $d); mkdir -p $out/paired/$n; cp $d/val.json $d/test.json $out/paired/$n/; done
for d in runs/s24/screens/*/; do [ -d $d ] || continue; n=$(basename $d); mkdir -p $out/screens/$n; cp $d/val.json $out/screens/$n/; done
cp runs/s24/*.sh runs/s24/*.py $out/
