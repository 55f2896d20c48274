#!/usr/bin/env bash
# usage: after.sh RUN_DIR CMD...: wait until RUN_DIR's fit has finished (times.txt), then run CMD
while [ ! -f $1/times.txt ]; do sleep 15; done
shift; exec "$@"
