#!/usr/bin/env bash
# Copies the small result files of session 22's runs (folder runs/s22) into docs/results/quality-session22/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json val_all.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
out=docs/results/quality-session22; mkdir -p $out
for d in runs/s22/t-* runs/s22/b-* runs/s22/sas-*; do copy $d $out; done
cp runs/s22/*.sh $out/
