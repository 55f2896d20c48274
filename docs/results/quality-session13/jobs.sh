# Session 13: one change each from conf/beauty-items.yaml (session 6's settings), Beauty validation,
# seed 0 first (base: 0.0543 at epoch 12 of 15, sessions 6/9/12, deterministic).
# /work/frozen13: worktree of d14aee8; /work/frozen13b: bd16ebe (+ input_dropout); /work/frozen13c: ced4b0a (+ encoder_dropout).
nohup runs/s13/fit.sh b-dec1-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.n_dec_layers 1 > /dev/null 2>&1 &
nohup runs/s13/fit.sh b-heads1-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.n_heads 1 > /dev/null 2>&1 &
FROZEN=/work/frozen13b nohup runs/s13/fit.sh b-indrop02-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.input_dropout 0.2 > /dev/null 2>&1 &
FROZEN=/work/frozen13c nohup runs/s13/after.sh b-heads1-s0 b-encdrop03-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.encoder_dropout 0.3 > /dev/null 2>&1 &
FROZEN=/work/frozen13c nohup runs/s13/after.sh b-dec1-s0 b-encdrop03-ff256-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.encoder_dropout 0.3 --model.init_args.d_ff 256 > /dev/null 2>&1 &
# n_dec_layers 1 led seed 0 (0.0558 at epoch 17 of 20 against 0.0543): seeds 1 and 2.
nohup runs/s13/fit.sh b-dec1-s1 conf/beauty-items.yaml --seed_everything 1 --data.seed 1 --model.init_args.n_dec_layers 1 > /dev/null 2>&1 &
nohup runs/s13/after.sh b-indrop02-s0 b-dec1-s2 conf/beauty-items.yaml --seed_everything 2 --data.seed 2 --model.init_args.n_dec_layers 1 > /dev/null 2>&1 &
# b-encdrop03-ff256-s0 stopped after epoch 5 (0.0411 against the base's 0.0464 at epoch 5) to give its core to the n_dec_layers 1 seeds.
nohup runs/s13/after.sh b-encdrop03-s0 b-enc3dec1-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.n_enc_layers 3 --model.init_args.n_dec_layers 1 > /dev/null 2>&1 &
# b-encdrop03-s0 stopped at epoch 21 (best 0.0539 at epoch 20, against 0.0543) and b-enc3dec1-s0 cancelled before it started,
# to give their cores to distillation. /work/frozen13d: worktree of the distillation commit.
# Distillation from session 12's SASRec-CE d_model 128 of the same seed (final weights, last.ckpt, trained on training interactions only):
for a in 05 08; do FROZEN=/work/frozen13d nohup runs/s13/fit.sh b-kd$a-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s12/sas-b-d128-s0/ck/last.ckpt --model.init_args.distill_weight 0.${a#0} > /dev/null 2>&1 & done
# b-dec1-s2 stopped at epoch 15 (best 0.0529 at epochs 12 and 15; base 0.0530), b-kd08-s0 stopped at epoch 5 (0.0596 against 0.0598 for
# weight 0.5): their cores went to distillation's seeds. Distillation weight 0.5, seeds 1 and 2 (teachers: session 12's SASRec-CE of the same seed):
for s in 1 2; do FROZEN=/work/frozen13d nohup runs/s13/fit.sh b-kd05-s$s conf/beauty-items.yaml --seed_everything $s --data.seed $s --model.init_args.distill_from runs/s12/sas-b-d128-s$s/ck/last.ckpt --model.init_args.distill_weight 0.5 > /dev/null 2>&1 & done
# Toys, the Beauty settings, teachers: session 12's Toys SASRec-CE d_model 128 of the same seed:
for s in 0 1 2; do FROZEN=/work/frozen13d nohup runs/s13/after.sh b-kd05-s$s t-kd05-s$s conf/toys-items.yaml --seed_everything $s --data.seed $s --model.init_args.distill_from runs/s12/sas-t-d128-s$s/ck/last.ckpt --model.init_args.distill_weight 0.5 > /dev/null 2>&1 & done
# Test, read once, for the distilled runs (Beauty and Toys, seeds 0-2), each as soon as its fit ends:
for s in 0 1 2; do FROZEN=/work/frozen13d nohup runs/s13/test_after.sh b-kd05-s$s conf/beauty-items.yaml runs/s12/sas-b-d128-s$s/ck/last.ckpt $s > /dev/null 2>&1 &
FROZEN=/work/frozen13d nohup runs/s13/test_after.sh t-kd05-s$s conf/toys-items.yaml runs/s12/sas-t-d128-s$s/ck/last.ckpt $s > /dev/null 2>&1 & done
# After the tests (validation only, for the next session): Toys with distillation weight 0.8, seeds 0 and 1.
for s in 0 1; do FROZEN=/work/frozen13d nohup runs/s13/fit.sh t-kd08-s$s conf/toys-items.yaml --seed_everything $s --data.seed $s --model.init_args.distill_from runs/s12/sas-t-d128-s$s/ck/last.ckpt --model.init_args.distill_weight 0.8 > /dev/null 2>&1 & done
OMP_NUM_THREADS=1 python benchmarks/beam_gap.py --config conf/beauty-items.yaml --ckpt runs/s13/b-kd05-s0/ck/best.ckpt --users 1000 --json runs/s13/b-kd05-s0/beam_gap.json  # main at e1f9073
OMP_NUM_THREADS=1 python benchmarks/step_loss.py --data ../shared/data/beauty/data.txt --ckpt runs/s12/b-base-s0/ck/best.ckpt runs/s13/b-kd05-s0/ck/best.ckpt --reference runs/s12/sas-b-d128-s0/ck/best.ckpt --json runs/s13/step_loss_s0.json  # main at e1f9073
