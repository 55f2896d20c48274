#!/usr/bin/env bash
# Copies the small result files of session 18's runs into docs/results/quality-session18/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done
  if [ -d $d/sweep ]; then mkdir -p $out/$n/sweep; cp $d/sweep/*.json $out/$n/sweep/; fi; return 0
}
out=docs/results/quality-session18; mkdir -p $out
for d in runs/s18/*/; do case $d in *discarded*) ;; *) copy ${d%/} $out;; esac; done
cp runs/s18/{fit.sh,test.sh,collect.sh,jobs.sh,malloc_ab.sh,toys-kd-s0.yaml} $out/  # hist.py: quality-session15's
cp runs/s18/malloc_ab/times.txt $out/malloc_ab.txt
cp runs/s18/test_all.sh $out/
cp runs/s18/catalog_ab.sh $out/
