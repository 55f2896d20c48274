#!/usr/bin/env bash
# usage: test_after.sh NAME CONFIG TEACHER SEED [overrides...]: test.sh NAME once its fit has finished (test read once)
name=$1; cfg=$2; teacher=$3; s=$4; shift 4
while [ ! -f runs/s14/$name/times.txt ]; do sleep 20; done
exec runs/s14/test.sh $name $cfg --seed_everything $s --data.seed $s --model.init_args.distill_from $teacher --model.init_args.distill_weight 0.5 "$@"
