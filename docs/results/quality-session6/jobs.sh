# Session 6 queue, as it ran: jobs claimed in JOBS order by two workers (worker.sh), one per core.
# /work/frozen was a worktree of 3208822 (of 5809851 for the last two Toys jobs, whose
# conf/beauty-items.yaml already holds label smoothing, d_model 64 and 100 clusters);
# /work/frozen2 one of de60ead, the commit that added --model.decoder_start.
F=runs/s6/fit.sh
T=runs/s6/test.sh
C=/work/frozen/conf/beauty-items.yaml
C2=/work/frozen2/conf/beauty-items.yaml
TOYS="--data.path ../shared/data/toys/data.txt"
LS="--model.init_args.label_smoothing 0.1"
DM="--model.init_args.d_model 64"
N100="--data.indexer.init_args.n_clusters 100"
N200="--data.indexer.init_args.n_clusters 200"
NEW="--model.init_args.decoder_start newest"
job_newest_s0() { FROZEN=/work/frozen2 $F b-ls01-newest-s0 $C2 --seed_everything 0 --data.seed 0 $LS $NEW; }
for s in 0 1 2; do
  eval "job_n100dm_s$s() { \$F b-ls01-dm64-n100-s$s \$C --seed_everything $s --data.seed $s \$LS \$DM \$N100; }"
  eval "job_n200dm_s$s() { \$F b-ls01-dm64-n200-s$s \$C --seed_everything $s --data.seed $s \$LS \$DM \$N200; }"
  eval "job_toys_n100dm_s$s() { \$F t-ls01-dm64-n100-s$s \$C \$TOYS --seed_everything $s --data.seed $s \$LS \$DM \$N100; }"
  eval "job_toys_n200_s$s() { \$F t-ls01-dm64-n200-s$s \$C \$TOYS --seed_everything $s --data.seed $s \$N200; }"
done
# Tests, once, of the adopted runs; each waits for its fit to finish.
job_test_beauty() { for s in 0 1 2; do while [ ! -f runs/s6/b-ls01-dm64-n100-s$s/times.txt ]; do sleep 20; done
  $T b-ls01-dm64-n100-s$s $C $LS $DM $N100; done; }
job_test_toys() { for s in 0 1 2; do while [ ! -f runs/s6/t-ls01-dm64-n100-s$s/times.txt ]; do sleep 20; done
  $T t-ls01-dm64-n100-s$s $C $TOYS $LS $DM $N100; done; }
job_beam_gap() { ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen
  renice -n -10 -p $BASHPID >/dev/null
  .venv/bin/python benchmarks/beam_gap.py --config $C --ckpt runs/s6/b-ls01-dm64-n100-s0/ck/best.ckpt --users 1000 \
    --json runs/s6/b-ls01-dm64-n100-s0/beam_gap.json $LS $DM $N100 > runs/s6/b-ls01-dm64-n100-s0/beam_gap.log 2>&1 ); }
JOBS="n100dm_s0 n100dm_s1 newest_s0 n100dm_s2 n200dm_s0 toys_n100dm_s0 toys_n100dm_s1 n200dm_s1 n200dm_s2
  toys_n100dm_s2 test_beauty beam_gap test_toys toys_n200_s0 toys_n200_s1"
