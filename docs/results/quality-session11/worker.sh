#!/usr/bin/env bash
# usage: worker.sh NAME: claims the next unclaimed job of runs/s11/jobs.sh (re-read each time) until none is left
while true; do
  . runs/s11/jobs.sh
  next=""
  for j in $JOBS; do [ -d runs/s11/claim-$j ] || { next=$j; break; }; done
  [ -z "$next" ] && break
  mkdir runs/s11/claim-$next 2>/dev/null || continue
  echo "$(date +%T) $1 starts $next"; job_$next; echo "$(date +%T) $1 done $next"
done
