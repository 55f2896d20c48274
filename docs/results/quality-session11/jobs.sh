# Session 11 queue: jobs claimed in JOBS order by two workers (worker.sh), one per core.
# /work/frozen: a worktree of 04f720c. SASRec-CE embeddings: session 10's converged runs of the same seed.
F=runs/s11/fit.sh
for s in 0 1 2; do
  eval "job_sascodes200_s$s() { \$F b-sascodes200-s$s runs/s11/beauty-sascodes200.yaml --seed_everything $s --data.seed $s --data.indexer.init_args.embeddings runs/s10/sas-b-s$s/item_embeddings.parquet; }"
done
JOBS="sascodes200_s0 sascodes200_s1 sascodes200_s2"
