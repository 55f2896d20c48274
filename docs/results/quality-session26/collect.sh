#!/usr/bin/env bash
# Copies the small result files of session 26's runs (folder runs/s26) into docs/results/quality-session26/: per
# SASRec-CE run taught by SASRec-CE its validation history, times, all-validation-users metrics (val_all.json) and
# test metrics (test_metrics.json, read once, from rescore.sh / rescore_toys.sh); per student taught by that
# SASRec-CE (b-kdbd-sS) its validation history, times and all-validation-users metrics; the scripts and the
# diagnosis tables. compare_all.sh writes compare/ there itself. The per-user files stay in runs/s26.
out=docs/results/quality-session26; mkdir -p $out
for d in runs/s26/sas-[bt]d-s[0-9]; do
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1); [ -n "$m" ] || continue
  data=beauty; [[ $n == sas-td-* ]] && data=toys
  p=runs/s26/paired/$data-sas-${n#sas-}
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $out/$n/
  [ -f $p/val.json ] && cp $p/val.json $out/$n/val_all.json
  [ -f $p/test.json ] && cp $p/test.json $out/$n/test_metrics.json
done
for d in runs/s26/b-kdbd-s[0-9]; do  # validation only
  n=$(basename $d); m=$(ls $d/*/version_*/metrics.csv 2>/dev/null | head -1); [ -n "$m" ] || continue
  mkdir -p $out/$n; cp $m $out/$n/val_history.csv; cp $d/times.txt $d/val_all.json $out/$n/
done
cp runs/s26/*.sh runs/s26/*.py $out/
for f in runs/s26/adj/*.txt; do cp $f $out/adjust-$(basename $f); done
cp runs/s26/diag/table.txt $out/diagnosis-b-s0.txt
