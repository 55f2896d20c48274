#!/usr/bin/env bash
# Copies the small result files of session 25's runs (folder runs/s25) into docs/results/quality-session25/: per run
# its validation history, times, full validation and (chosen runs only) test metrics; per re-scored run its
# validation and test metrics (the per-user files stay in runs/s25); the scripts. The compare_*.sh scripts write
# compare/ there themselves.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json val_all.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
out=docs/results/quality-session25; mkdir -p $out
for d in runs/s25/*-s[0-9]; do copy $d $out; done
for d in runs/s25/paired/*/; do
  [ -f $d/test.json ] || continue; n=$(basename $d); mkdir -p $out/paired/$n; cp $d/val.json $d/test.json $out/paired/$n/
done
cp runs/s25/*.sh $out/; ls runs/s25/*.py >/dev/null 2>&1 && cp runs/s25/*.py $out/; true
