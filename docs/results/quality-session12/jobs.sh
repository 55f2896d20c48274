# Session 12: SASRec-CE given the care the generative model got (Beauty validation, seed 0, one change each
# from conf/beauty-sasrec-windows.yaml, whose seed-0 run reached 0.0610 at epoch 26 of 29 in session 10).
# /work/frozen: a worktree of b94afb7.
nohup runs/s12/fit.sh sas-b-drop05-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.dropout 0.5 --model.init_args.export_embeddings null > /dev/null 2>&1 &
nohup runs/s12/fit.sh sas-b-d128-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.d_model 128 --model.init_args.export_embeddings null > /dev/null 2>&1 &
# (sas-b-d128-s0 was stopped after 5 epochs to free its core for the base runs below.)
# Base generative runs (conf/beauty-items.yaml, session 6's settings) whose checkpoints the prefix-weight
# sweep re-ranks on validation (lightlm validate --model.prefix_weight W, main's code).
nohup runs/s12/fit.sh b-base-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 > /dev/null 2>&1 &
# then: runs/s12/lanes.sh lane_a & runs/s12/lanes.sh lane_b & (the queue as it ran)
# sas-b-drop05-s0 stopped at epoch 13 of 40 (0.0358 vs 0.0544 for dropout 0.3 at that epoch), freeing lane A.
# lanes.sh stopped after b-base-s1/s2 (prefix weight: no gain on seed 0); then runs/s12/lanes2.sh lane_a & lane_b &
# lanes2.sh lane_b (SASRec dropout 0.2) cancelled before it started: its core went to the EMA screen.
# (t-base-s0 had started before lanes.sh was stopped; it was stopped at epoch 9, reproducing session 6's Toys seed 0 history.)
# EMA screen, Beauty seed 0 (/work/frozen12: a worktree of 0bdf9ed, which has lightlm.callbacks.averaging):
FROZEN=/work/frozen12 nohup runs/s12/fit.sh b-ema099-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.99 > /dev/null 2>&1 &
(while [ ! -f runs/s12/b-base-s2/times.txt ]; do sleep 20; done; FROZEN=/work/frozen12 runs/s12/fit.sh b-ema0998-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 --trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.998) > /dev/null 2>&1 &
# SASRec-CE d_model 128 led seed 0 (0.0628 at epoch 13 against 0.0610 best of d_model 64): seeds 1 and 2.
nohup runs/s12/fit.sh sas-b-d128-s1 conf/beauty-sasrec-windows.yaml --seed_everything 1 --data.seed 1 --model.init_args.d_model 128 --model.init_args.export_embeddings null > /dev/null 2>&1 &
nohup runs/s12/fit.sh sas-b-d128-s2 conf/beauty-sasrec-windows.yaml --seed_everything 2 --data.seed 2 --model.init_args.d_model 128 --model.init_args.export_embeddings null > /dev/null 2>&1 &
# b-ema0998-s0 stopped at epoch 8 (0.0433, lagging base's 0.0514 at epoch 7) to give its core to the SASRec-CE seeds.
# tests, once, after the fits: runs/s12/test.sh sas-b-d128-sS conf/beauty-sasrec-windows.yaml --seed_everything S --data.seed S --model.init_args.d_model 128
# Toys SASRec-CE with Beauty's d_model 128, seeds 0-2 at once (the session's last 40 minutes):
for s in 0 1 2; do nohup runs/s12/fit.sh sas-t-d128-s$s conf/toys-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.d_model 128 --model.init_args.export_embeddings null > /dev/null 2>&1 & done
# then runs/s12/test.sh sas-t-d128-sS conf/toys-sasrec-windows.yaml --seed_everything S --data.seed S, once each
