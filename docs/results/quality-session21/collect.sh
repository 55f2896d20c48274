#!/usr/bin/env bash
# Copies the small result files of sessions 20-21's Beauty runs (folder runs/s20) into
# docs/results/quality-session21/ (session 20's teacher histories are also in quality-session20/).
copy() {  # copy RUN_DIR OUT_DIR
  local d=$1 out=$2 n m; n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1)
  [ -n "$m" ] || return 0
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; [ -f $d/times.txt ] && cp $d/times.txt $out/$n/
  for f in test_metrics.json; do [ -f $d/$f ] && cp $d/$f $out/$n/; done
  [ -d $d/sweep ] && mkdir -p $out/$n/sweep && cp $d/sweep/*.json $out/$n/sweep/; return 0
}
out=docs/results/quality-session21; mkdir -p $out/ab
for d in runs/s20/sas-b-s* runs/s20/b-*; do copy $d $out; done
for d in runs/s20/ab/*; do copy $d $out/ab; done
cp runs/s20/{fit.sh,jobs.sh,collect.sh,speed_ab_beauty.sh,test.sh,test_all.sh} $out/
