#!/usr/bin/env bash
# Session 21: wall time of N training steps (no validation) of the Beauty K=4 / K=0 student, old code
# (/work/frozen20) against new (/work/frozen21b), alternating, one thread. usage: steps_ab.sh K STEPS [SEED]
k=$1; steps=$2; seed=${3:-1}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled
. .venv/bin/activate
for rep in 1 2; do for f in /work/frozen20 /work/frozen21b; do
  start=$(date +%s.%N)
  PYTHONPATH=$f /usr/bin/time -f "maxrss_kb=%M" lightlm fit --config conf/beauty-distilled.yaml --seed_everything $seed --data.seed $seed \
    --model.init_args.distill_from runs/s20/sas-b-s$seed/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$seed/item_embeddings.parquet \
    --model.init_args.distill_prefixes $k --trainer.max_steps $steps --trainer.limit_val_batches 0 \
    --trainer.num_sanity_val_steps 0 --checkpoint.dirpath runs/s21/steps_ab/ck --trainer.logger false \
    --trainer.enable_progress_bar false > runs/s21/steps_ab.log 2>&1
  echo "K=$k seed=$seed steps=$steps $(basename $f) rep $rep: $(echo "$(date +%s.%N) - $start" | bc) s $(tail -1 runs/s21/steps_ab.log)"
done; done
