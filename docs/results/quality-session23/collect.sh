#!/usr/bin/env bash
# Copies the small result files of session 23's runs (folder runs/s23) into docs/results/quality-session23/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json val_all.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
out=docs/results/quality-session23; mkdir -p $out
for d in runs/s23/b-* runs/s23/sas-*; do copy $d $out; done
mkdir -p $out/exact; cp runs/s23/exact/*.json runs/s23/exact/times.txt $out/exact/
cp runs/s23/*.sh $out/
# seed 0 of Beauty's averaged SASRec-CE was trained in session 22; its test was read in this one (test_sasema.sh)
cp runs/s22/sas-b-ema-s0/test_metrics.json docs/results/quality-session22/sas-b-ema-s0/
