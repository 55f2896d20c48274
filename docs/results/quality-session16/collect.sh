#!/usr/bin/env bash
# Copies the small result files of session 16's runs into docs/results/quality-session16/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done
  if [ -d $d/sweep ]; then mkdir -p $out/$n/sweep; cp $d/sweep/*.json $out/$n/sweep/; fi; return 0
}
out=docs/results/quality-session16; mkdir -p $out
for d in runs/s16/*/; do copy ${d%/} $out; done
cp runs/s16/{beauty-kd-s0.yaml,fit.sh,after.sh,test.sh,student.sh,toys_k50.sh,toys_dw08.sh,test_students.sh,collect.sh,jobs.sh} $out/
