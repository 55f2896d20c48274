#!/usr/bin/env bash
. runs/s4/jobs.sh
for j in $JOBS; do
  mkdir runs/s4/claim-$j 2>/dev/null || continue
  echo "$(date +%T) $1 starts $j"; job_$j; echo "$(date +%T) $1 done $j"
done
