# Session 14: Toys, distilled (weight 0.5, session 13), one change each, validation, seeds 0 and 1 first
# (base t-kd05: 0.0605 / 0.0619, session 13). /work/frozen14: worktree of 4d6938b.
nohup runs/s14/fit.sh t-kd-d128-s0 conf/toys-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-t-d128-s0/ck/last.ckpt --model.init_args.d_model 128 > /dev/null 2>&1 &
nohup runs/s14/fit.sh t-kd-best-s0 conf/toys-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-t-d128-s0/ck/best.ckpt > /dev/null 2>&1 &
# t-kd-best-s0 stopped after epoch 5 (0.0577 against the base's 0.0592 at epoch 5) for the next screen.
# Codes from the teacher's own item embeddings (final weights, exported from session 12's last.ckpt by runs/s14/export_emb.py)
# plus distillation from that teacher: runs/s14/toys-sascodes-kd.yaml (/work/frozen14b: 1a5af56).
for s in 0 1 2; do PYTHONPATH=/work/frozen14b OMP_NUM_THREADS=1 python runs/s14/export_emb.py runs/s12/sas-t-d128-s$s/ck/last.ckpt runs/s14/sas-t-d128-s$s.parquet; done
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-sas-kd-s0 runs/s14/toys-sascodes-kd.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-t-d128-s0/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-t-d128-s0.parquet > /dev/null 2>&1 &
# Teacher temperature 2 (softer soft targets; /work/frozen14b has --model.distill_temperature):
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-kd-T2-s0 conf/toys-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-t-d128-s0/ck/last.ckpt --model.init_args.distill_temperature 2 > /dev/null 2>&1 &
# t-sas-kd-s0: 0.0621 at epoch 15 of 18 against 0.0605: seeds 1 and 2 (2 after t-kd-T2-s0).
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-sas-kd-s1 runs/s14/toys-sascodes-kd.yaml --seed_everything 1 --data.seed 1 --model.init_args.distill_from runs/s12/sas-t-d128-s1/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-t-d128-s1.parquet > /dev/null 2>&1 &
FROZEN=/work/frozen14b nohup runs/s14/after.sh t-kd-T2-s0 t-sas-kd-s2 runs/s14/toys-sascodes-kd.yaml --seed_everything 2 --data.seed 2 --model.init_args.distill_from runs/s12/sas-t-d128-s2/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-t-d128-s2.parquet > /dev/null 2>&1 &
# SAS codes + distillation: seed 2 0.0613 (base 0.0621), seed 1 level with its base: within noise. Temperature 2 (+0.0010 on seed 0): seeds 2 and 1.
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-kd-T2-s2 conf/toys-items.yaml --seed_everything 2 --data.seed 2 --model.init_args.distill_from runs/s12/sas-t-d128-s2/ck/last.ckpt --model.init_args.distill_temperature 2 > /dev/null 2>&1 &
FROZEN=/work/frozen14b nohup runs/s14/after.sh t-sas-kd-s1 t-kd-T2-s1 conf/toys-items.yaml --seed_everything 1 --data.seed 1 --model.init_args.distill_from runs/s12/sas-t-d128-s1/ck/last.ckpt --model.init_args.distill_temperature 2 > /dev/null 2>&1 &
# t-sas-kd-s1 went on improving: 0.0641 at epoch 19 (base 0.0619). Beauty, SAS codes + distillation, seed 0 (base b-kd05-s0 0.0663), after t-kd-T2-s2:
FROZEN=/work/frozen14b nohup runs/s14/after.sh t-kd-T2-s2 b-sas-kd-s0 runs/s14/beauty-sascodes-kd.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-b-d128-s0/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-b-d128-s0.parquet > /dev/null 2>&1 &
# Temperature 2: 0.0615, 0.0600 (seed 2, base 0.0621), seed 1 behind its base: not adopted.
# Toys choice on validation (3 seeds): SAS codes + distillation 0.0621, 0.0641, 0.0613 against 0.0605, 0.0619, 0.0621:
# its test, read once, after t-kd-T2-s1; then Beauty SAS codes + distillation seeds 1 and 2.
(while [ ! -f runs/s14/t-kd-T2-s1/times.txt ]; do sleep 20; done
 for s in 0 1 2; do FROZEN=/work/frozen14b runs/s14/test.sh t-sas-kd-s$s runs/s14/toys-sascodes-kd.yaml --seed_everything $s --data.seed $s --model.init_args.distill_from runs/s12/sas-t-d128-s$s/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-t-d128-s$s.parquet; done
 FROZEN=/work/frozen14b runs/s14/fit.sh b-sas-kd-s1 runs/s14/beauty-sascodes-kd.yaml --seed_everything 1 --data.seed 1 --model.init_args.distill_from runs/s12/sas-b-d128-s1/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-b-d128-s1.parquet) > /dev/null 2>&1 &
FROZEN=/work/frozen14b nohup runs/s14/after.sh b-sas-kd-s0 b-sas-kd-s2 runs/s14/beauty-sascodes-kd.yaml --seed_everything 2 --data.seed 2 --model.init_args.distill_from runs/s12/sas-b-d128-s2/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-b-d128-s2.parquet > /dev/null 2>&1 &
# Beauty SAS codes + distillation: 0.0671, 0.0656, 0.0654+ against 0.0663, 0.0656, 0.0644: the best validation mean on Beauty too: test, read once.
for s in 0 1 2; do FROZEN=/work/frozen14b nohup runs/s14/test_after.sh b-sas-kd-s$s runs/s14/beauty-sascodes-kd.yaml runs/s12/sas-b-d128-s$s/ck/last.ckpt $s --data.indexer.init_args.embeddings runs/s14/sas-b-d128-s$s.parquet > /dev/null 2>&1 & done
# Beam search against the exact scorer for the chosen configuration (Beauty seed 0, 1,000 validation users):
OMP_NUM_THREADS=1 PYTHONPATH=/work/frozen14b python benchmarks/beam_gap.py --config runs/s14/beauty-sascodes-kd.yaml --ckpt runs/s14/b-sas-kd-s0/ck/best.ckpt --users 1000 --json runs/s14/b-sas-kd-s0/beam_gap.json > runs/s14/b-sas-kd-s0/beam_gap.log 2>&1
# After the tests (validation only, for the next session): the two early-stopped Toys students with patience 6 instead of 3
# (deterministic: identical to their patience-3 runs until those stopped).
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-sas-kd-pat6-s2 runs/s14/toys-sascodes-kd.yaml --seed_everything 2 --data.seed 2 --model.init_args.distill_from runs/s12/sas-t-d128-s2/ck/last.ckpt --data.indexer.init_args.embeddings runs/s14/sas-t-d128-s2.parquet --trainer.callbacks.patience 6 > /dev/null 2>&1 &
FROZEN=/work/frozen14b nohup runs/s14/fit.sh t-kd05-pat6-s1 conf/toys-items.yaml --seed_everything 1 --data.seed 1 --model.init_args.distill_from runs/s12/sas-t-d128-s1/ck/last.ckpt --trainer.callbacks.patience 6 > /dev/null 2>&1 &
