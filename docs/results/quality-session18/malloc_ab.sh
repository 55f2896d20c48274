#!/usr/bin/env bash
# Session 18: `lightlm fit` with the kit's malloc settings (keep_freed_heap) against glibc's defaults
# (MALLOC_MMAP_MAX_=65536 in the environment: the kit then leaves malloc alone), 2 epochs each,
# without validation, one thread, in turns (A B A B). Code: main's working tree.
. .venv/bin/activate
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled
out=runs/s18/malloc_ab; mkdir -p $out
for rep in ${REPS:-1 2}; do
  for cfg in toys-sasrec-windows toys-items; do
    for mode in glibc kit; do
      env=""; [ $mode = glibc ] && env="MALLOC_MMAP_MAX_=65536"
      extra=""; [ $cfg = toys-sasrec-windows ] && extra="--model.init_args.export_embeddings null"
      env $env /usr/bin/time -f "$cfg $mode rep$rep wall_s %e user_s %U sys_s %S minflt %R maxrss_kb %M" \
        lightlm fit --config conf/$cfg.yaml --trainer.max_epochs 2 --trainer.limit_val_batches 0 \
        --trainer.logger false --trainer.enable_progress_bar false --trainer.callbacks '[]' \
        --checkpoint.dirpath $out/ck-$cfg-$mode-rep$rep $extra > $out/$cfg-$mode-rep$rep.log 2>&1
      tail -1 $out/$cfg-$mode-rep$rep.log >> $out/times.txt
    done
  done
done
