# Session 10 queue: jobs claimed in JOBS order by two workers (worker.sh), one per core.
# /work/frozen: a worktree of 46f3e2a.
F=runs/s10/fit.sh
T=runs/s10/test.sh
C=/work/frozen/conf/beauty-items.yaml
CT=/work/frozen/conf/toys-items.yaml
CS=/work/frozen/conf/beauty-sasrec-windows.yaml
# SASRec-CE converged on Beauty, seed 0: its final item embeddings feed the SAS-codes run.
job_sas_b_s0() { $F sas-b-s0 $CS --seed_everything 0 --data.seed 0 --model.init_args.export_embeddings runs/s10/sas-b-s0/item_embeddings.parquet; }
for s in 1 2; do eval "job_ls03_s$s() { \$F b-ls03-s$s \$C --seed_everything $s --data.seed $s --model.init_args.label_smoothing 0.3; }"; done
job_sascodes_p1_s0() { $F b-sascodes-p1-s0 runs/s10/beauty-sascodes-p1.yaml --seed_everything 0 --data.seed 0; }
for s in 1 2; do eval "job_toys_ls02_s$s() { \$F t-ls02-s$s \$CT --seed_everything $s --data.seed $s --model.init_args.label_smoothing 0.2; }"; done
JOBS="sas_b_s0 ls03_s1 ls03_s2 sascodes_p1_s0 toys_ls02_s1 toys_ls02_s2"
# 10:08: SAS codes gained on seed 0 (0.0568 vs 0.0543): seeds 1 and 2, each from its own SASRec-CE.
for s in 1 2; do
  eval "job_sas_b_s$s() { \$F sas-b-s$s \$CS --seed_everything $s --data.seed $s --model.init_args.export_embeddings runs/s10/sas-b-s$s/item_embeddings.parquet; }"
  eval "job_sascodes_p1_s$s() { while [ ! -f runs/s10/sas-b-s$s/item_embeddings.parquet ]; do sleep 30; done; \$F b-sascodes-p1-s$s runs/s10/beauty-sascodes-p1.yaml --seed_everything $s --data.seed $s --data.indexer.init_args.embeddings runs/s10/sas-b-s$s/item_embeddings.parquet; }"
done
JOBS="$JOBS sas_b_s1 sas_b_s2 sascodes_p1_s1 sascodes_p1_s2"
# session 11 (12:15): Toys, queued behind Beauty's seeds 1-2, to be dropped if Beauty's three seeds did not confirm.
# 13:04: they did not (0.0553 ± 0.0014 vs 0.0538 ± 0.0007): sas_t_s0 (epoch 27) and sas_t_s1 (epoch 12) were stopped, the rest never ran.
CTS=/work/frozen/conf/toys-sasrec-windows.yaml
for s in 0 1 2; do
  eval "job_sas_t_s$s() { \$F sas-t-s$s \$CTS --seed_everything $s --data.seed $s --model.init_args.export_embeddings runs/s10/sas-t-s$s/item_embeddings.parquet; }"
  eval "job_toys_sascodes_s$s() { while [ ! -f runs/s10/sas-t-s$s/item_embeddings.parquet ]; do sleep 30; done; \$F t-sascodes-p1-s$s runs/s10/toys-sascodes-p1.yaml --seed_everything $s --data.seed $s --data.indexer.init_args.embeddings runs/s10/sas-t-s$s/item_embeddings.parquet; }"
done
JOBS="$JOBS sas_t_s0 sas_t_s1 sas_t_s2 toys_sascodes_s0 toys_sascodes_s1 toys_sascodes_s2"
