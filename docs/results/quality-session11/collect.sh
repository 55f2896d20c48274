#!/usr/bin/env bash
# Copies the small result files of the runs that finished in session 11: session 10's queue
# (SASRec-CE seeds 1-2 and their SAS-code runs) into quality-session10/, this session's into quality-session11/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -f "$d/times.txt" ] && [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
for d in runs/s10/sas-b-s1 runs/s10/sas-b-s2 runs/s10/b-sascodes-p1-s1 runs/s10/b-sascodes-p1-s2; do copy $d docs/results/quality-session10; done
cp runs/s10/jobs.sh docs/results/quality-session10/
out=docs/results/quality-session11; mkdir -p $out
for d in runs/s11/b-*; do copy $d $out; done
cp runs/s11/{fit.sh,test.sh,worker.sh,collect.sh,jobs.sh,beauty-sascodes200.yaml} $out/
