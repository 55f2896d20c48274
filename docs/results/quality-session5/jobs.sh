# Session 5 queue: jobs claimed in order by workers (runs/s5/worker.sh), one per core.
ES="--trainer.max_epochs 40 --trainer.callbacks+=EarlyStopping --trainer.callbacks.monitor val/ndcg@10 --trainer.callbacks.mode max --trainer.callbacks.patience 3"
F=runs/s5/fit.sh
C=/work/frozen/conf/beauty-items.yaml
TOYS="--data.path ../shared/data/toys/data.txt"
LS="--model.init_args.label_smoothing 0.1"
job_ls01_s1() { $F b-ls01-s1 $C --seed_everything 1 --data.seed 1 $LS; }
job_ls01_s2() { $F b-ls01-s2 $C --seed_everything 2 --data.seed 2 $LS; }
job_ls01_wd01_s0() { $F b-ls01-wd01-s0 $C --seed_everything 0 --data.seed 0 $LS --model.init_args.weight_decay 0.1; }
JOBS="ls01_s1 ls01_wd01_s0 ls01_s2"
job_ls01_dff256_s0() { $F b-ls01-dff256-s0 $C --seed_everything 0 --data.seed 0 $LS --model.init_args.d_ff 256; }
JOBS="$JOBS ls01_dff256_s0"
job_ls01_lr1e3_s0() { $F b-ls01-lr1e3-s0 $C --seed_everything 0 --data.seed 0 $LS --model.init_args.lr 0.001; }
JOBS="$JOBS ls01_lr1e3_s0"
job_ls01_d03_s0() { $F b-ls01-d03-s0 $C --seed_everything 0 --data.seed 0 $LS --model.init_args.dropout 0.3; }
job_ls01_dm64_s0() { $F b-ls01-dm64-s0 $C --seed_everything 0 --data.seed 0 $LS --model.init_args.d_model 64; }
JOBS="$JOBS ls01_d03_s0"
job_ls01_n100_s0() { $F b-ls01-n100-s0 $C --seed_everything 0 --data.seed 0 $LS --data.indexer.init_args.n_clusters 100; }
JOBS="$JOBS ls01_n100_s0 ls01_dm64_s0"
DM="--model.init_args.d_model 64"
job_dm64_s1() { $F b-ls01-dm64-s1 $C --seed_everything 1 --data.seed 1 $LS $DM; }
job_dm64_s2() { $F b-ls01-dm64-s2 $C --seed_everything 2 --data.seed 2 $LS $DM; }
job_index_1m_sci() {  # issue 13: SCI at 1M items, main's code as of this job's start
  ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; renice -n -10 -p $BASHPID >/dev/null
    /usr/bin/time -v .venv/bin/python benchmarks/catalog_scale.py --sizes 1000000 --indexers sci --models \
      --timeout 1500 --out runs/s5/index_1m_sci.json > runs/s5/index_1m_sci.log 2>&1 )
}
job_index_1m_gci() {
  ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; renice -n -10 -p $BASHPID >/dev/null
    /usr/bin/time -v .venv/bin/python benchmarks/catalog_scale.py --sizes 1000000 --indexers gci --models \
      --timeout 1500 --out runs/s5/index_1m_gci.json > runs/s5/index_1m_gci.log 2>&1 )
}
JOBS="$JOBS dm64_s1 index_1m_sci dm64_s2 index_1m_gci"
job_index_100k_solvers() {
  ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; renice -n -10 -p $BASHPID >/dev/null
    .venv/bin/python benchmarks/catalog_scale.py --sizes 100000 --indexers sci sci:solver=subspace --models \
      --out runs/s5/index_100k_solvers.json > runs/s5/index_100k_solvers.log 2>&1 )
}
JOBS="$JOBS index_100k_solvers"
