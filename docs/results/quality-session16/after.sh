#!/usr/bin/env bash
# usage: after.sh RUN_TO_WAIT_FOR NAME CONFIG [overrides...]: fit.sh NAME ... once RUN_TO_WAIT_FOR has finished
w=$1; shift
while [ ! -f runs/s16/$w/times.txt ]; do sleep 15; done
exec runs/s16/fit.sh "$@"
