# Session 6 queue: jobs claimed in order by workers (runs/s6/worker.sh), one per core.
F=runs/s6/fit.sh
C=/work/frozen/conf/beauty-items.yaml
TOYS="--data.path ../shared/data/toys/data.txt"
LS="--model.init_args.label_smoothing 0.1"
DM="--model.init_args.d_model 64"
N100="--data.indexer.init_args.n_clusters 100"
job_n100dm_s0() { $F b-ls01-dm64-n100-s0 $C --seed_everything 0 --data.seed 0 $LS $DM $N100; }
job_n100dm_s1() { $F b-ls01-dm64-n100-s1 $C --seed_everything 1 --data.seed 1 $LS $DM $N100; }
job_n100dm_s2() { $F b-ls01-dm64-n100-s2 $C --seed_everything 2 --data.seed 2 $LS $DM $N100; }
JOBS="n100dm_s0 n100dm_s1"
C2=/work/frozen2/conf/beauty-items.yaml
NEW="--model.init_args.decoder_start newest"
job_newest_s0() { FROZEN=/work/frozen2 $F b-ls01-newest-s0 $C2 --seed_everything 0 --data.seed 0 $LS $NEW; }
JOBS="newest_s0 $JOBS n100dm_s2"
T=runs/s6/test.sh
job_toys_n100dm_s0() { $F t-ls01-dm64-n100-s0 $C $TOYS --seed_everything 0 --data.seed 0 $LS $DM $N100; }
job_toys_n100dm_s1() { $F t-ls01-dm64-n100-s1 $C $TOYS --seed_everything 1 --data.seed 1 $LS $DM $N100; }
job_toys_n100dm_s2() { $F t-ls01-dm64-n100-s2 $C $TOYS --seed_everything 2 --data.seed 2 $LS $DM $N100; }
JOBS="$JOBS toys_n100dm_s0 toys_n100dm_s1 toys_n100dm_s2"
N200="--data.indexer.init_args.n_clusters 200"
job_n200dm_s0() { $F b-ls01-dm64-n200-s0 $C --seed_everything 0 --data.seed 0 $LS $DM $N200; }
job_newest_n100dm_s0() { FROZEN=/work/frozen2 $F b-ls01-dm64-n100-newest-s0 $C2 --seed_everything 0 --data.seed 0 $LS $DM $N100 $NEW; }
JOBS="newest_s0 n100dm_s0 n100dm_s1 n100dm_s2 n200dm_s0 newest_n100dm_s0"
E16="--trainer.max_epochs 16"
job_n100dm_e16_s0() { $F b-ls01-dm64-n100-e16-s0 $C --seed_everything 0 --data.seed 0 $LS $DM $N100 $E16; }
JOBS="newest_s0 n100dm_s0 n100dm_s1 n100dm_s2 n200dm_s0 n100dm_e16_s0 newest_n100dm_s0"
job_test_beauty() { for s in 0 1 2; do $T b-ls01-dm64-n100-s$s $C $LS $DM $N100; done; }
job_test_toys() { for s in 0 1 2; do $T t-ls01-dm64-n100-s$s $C $TOYS $LS $DM $N100; done; }
JOBS="newest_s0 n100dm_s0 n100dm_s1 n100dm_s2 n200dm_s0 toys_n100dm_s0 toys_n100dm_s1 test_beauty toys_n100dm_s2 n100dm_e16_s0 test_toys"
job_test_toys() { for s in 0 1 2; do while [ ! -f runs/s6/t-ls01-dm64-n100-s$s/times.txt ]; do sleep 20; done
  $T t-ls01-dm64-n100-s$s $C $TOYS $LS $DM $N100; done; }
job_test_beauty() { for s in 0 1 2; do while [ ! -f runs/s6/b-ls01-dm64-n100-s$s/times.txt ]; do sleep 20; done
  $T b-ls01-dm64-n100-s$s $C $LS $DM $N100; done; }
job_beam_gap() { ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 WANDB_MODE=disabled PYTHONPATH=/work/frozen; renice -n -10 -p $BASHPID >/dev/null
  .venv/bin/python benchmarks/beam_gap.py --config $C --ckpt runs/s6/b-ls01-dm64-n100-s0/ck/best.ckpt --users 1000 \
    --json runs/s6/b-ls01-dm64-n100-s0/beam_gap.json $LS $DM $N100 > runs/s6/b-ls01-dm64-n100-s0/beam_gap.log 2>&1 ); }
JOBS="newest_s0 n100dm_s0 n100dm_s1 n100dm_s2 n200dm_s0 toys_n100dm_s0 toys_n100dm_s1 test_beauty beam_gap toys_n100dm_s2 n100dm_e16_s0 test_toys"
job_n200dm_s1() { $F b-ls01-dm64-n200-s1 $C --seed_everything 1 --data.seed 1 $LS $DM $N200; }
job_n200dm_s2() { $F b-ls01-dm64-n200-s2 $C --seed_everything 2 --data.seed 2 $LS $DM $N200; }
JOBS="newest_s0 n100dm_s0 n100dm_s1 n100dm_s2 n200dm_s0 toys_n100dm_s0 toys_n100dm_s1 n200dm_s1 n200dm_s2"
JOBS="$JOBS toys_n100dm_s2 test_beauty beam_gap test_toys"
# Toys validation of 200 clusters (validation only; code of 5809851, whose conf/beauty-items.yaml
# already holds label smoothing 0.1, d_model 64 and 100 clusters)
job_toys_n200_s0() { $F t-ls01-dm64-n200-s0 $C $TOYS --seed_everything 0 --data.seed 0 $N200; }
job_toys_n200_s1() { $F t-ls01-dm64-n200-s1 $C $TOYS --seed_everything 1 --data.seed 1 $N200; }
job_toys_n200_s2() { $F t-ls01-dm64-n200-s2 $C $TOYS --seed_everything 2 --data.seed 2 $N200; }
JOBS="$JOBS toys_n200_s0 toys_n200_s1 toys_n200_s2"
JOBS="${JOBS/ toys_n200_s2/}"
