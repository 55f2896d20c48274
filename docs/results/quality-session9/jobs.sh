# Session 9 queue: jobs claimed in JOBS order by two workers (worker.sh), one per core.
# /work/frozen: a worktree of be7954b.
F=runs/s9/fit.sh
T=runs/s9/test.sh
C=/work/frozen/conf/beauty-items.yaml
job_base_s0() { $F b-base-s0 $C --seed_everything 0 --data.seed 0; }
job_ls02_s0() { $F b-ls02-s0 $C --seed_everything 0 --data.seed 0 --model.init_args.label_smoothing 0.2; }
JOBS="base_s0 ls02_s0"
for s in 1 2; do eval "job_ls02_s$s() { \$F b-ls02-s$s \$C --seed_everything $s --data.seed $s --model.init_args.label_smoothing 0.2; }"; done
job_ls03_s0() { $F b-ls03-s0 $C --seed_everything 0 --data.seed 0 --model.init_args.label_smoothing 0.3; }
JOBS="base_s0 ls02_s0 ls02_s1 ls02_s2 ls03_s0"
CT=/work/frozen/conf/toys-items.yaml
job_toys_ls02_s0() { $F t-ls02-s0 $CT --seed_everything 0 --data.seed 0 --model.init_args.label_smoothing 0.2; }
JOBS="base_s0 ls02_s0 ls02_s1 ls02_s2 ls03_s0 toys_ls02_s0"
