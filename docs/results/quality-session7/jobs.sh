# Session 7 queue: jobs claimed in JOBS order by two workers (worker.sh), one per core.
# /work/frozen: a worktree of e170b8d (conf/beauty-items.yaml = session 6's adopted settings).
F=runs/s7/fit.sh
T=runs/s7/test.sh
C=/work/frozen/conf/beauty-items.yaml
TOYS="--data.path ../shared/data/toys/data.txt"
job_base_s0() { $F b-base-s0 $C --seed_everything 0 --data.seed 0; }
job_ep20_s0() { $F b-ep20-s0 $C --seed_everything 0 --data.seed 0 --trainer.max_epochs 20; }
JOBS="ep20_s0 base_s0"
# /work/frozen2: a worktree of 59bc2c4 (adds --model.encoder_item_loss).
C2=/work/frozen2/conf/beauty-items.yaml
job_enc1_s0() { FROZEN=/work/frozen2 $F b-enc1-s0 $C2 --seed_everything 0 --data.seed 0 --model.init_args.encoder_item_loss 1.0; }
JOBS="ep20_s0 base_s0 enc1_s0"
job_enc03_s0() { FROZEN=/work/frozen2 $F b-enc03-s0 $C2 --seed_everything 0 --data.seed 0 --model.init_args.encoder_item_loss 0.3; }
JOBS="ep20_s0 base_s0 enc1_s0 enc03_s0"
for s in 1 2; do eval "job_ep20_s$s() { \$F b-ep20-s$s \$C --seed_everything $s --data.seed $s --trainer.max_epochs 20; }"; done
JOBS="ep20_s0 base_s0 enc1_s0 enc03_s0 ep20_s1 ep20_s2"
