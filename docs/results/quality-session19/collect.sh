#!/usr/bin/env bash
# Copies the small result files of session 20's runs (folder runs/s19) into docs/results/quality-session19/.
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json beam_gap.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done; return 0
}
out=docs/results/quality-session19; mkdir -p $out/ab $out/op_times
for d in runs/s19/sas-t-s* runs/s19/t-*; do copy $d $out; done
for d in runs/s19/ab/*; do copy $d $out/ab; done
cp runs/s19/{fit.sh,jobs.sh,collect.sh,speed_ab_seq.sh} $out/  # hist.py: quality-session15's
[ -f runs/s19/test.sh ] && cp runs/s19/test.sh runs/s19/test_all.sh $out/
cp runs/s19/prof/op_times.py $out/op_times/; for k in k0 k4 k0-groups k4-groups; do cp runs/s19/prof/$k.txt $out/op_times/; done
cp runs/s19/beam_gap.sh runs/s19/toys-kdp4-s0.yaml $out/
