#!/usr/bin/env bash
# usage: exact_val.sh RUN_DIR CONFIG SEED [overrides]: the best checkpoint of RUN_DIR ranked by the exact scorer
# (--model.init_args.rank_by exact: every item's code log-probability, teacher-forced over the trie) instead of
# 20-beam search, on all validation users (--data.val_users null; the test split is not read), one thread, with
# the code of $FROZEN. Writes runs/s23/exact/NAME-validate.json.
d=$1; cfg=$2; seed=$3; shift 3
n=$(basename $d); out=runs/s23/exact; mkdir -p $out
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=$FROZEN
start=$(date +%s)
.venv/bin/lightlm validate --config $cfg --checkpoint.dirpath $d/ck --ckpt_path $d/ck/best.ckpt --seed_everything $seed \
  --data.seed $seed --data.val_users null --trainer.logger false --trainer.enable_progress_bar false \
  --model.init_args.rank_by exact --results.path $out/$n-validate.json "$@" > $out/$n-validate.log 2>&1
echo "$n validate $(( $(date +%s) - start )) s" >> $out/times.txt
