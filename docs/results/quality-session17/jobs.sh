# Session 17: Toys, the distilled student with its item rows started at the teacher's item embeddings
# (--model.init_items_from_teacher, new in 76a5f88; needs the teacher's width, d_model 128), validation first.
# /work/frozen15: worktree of 4950217; /work/frozen17: worktree of 76a5f88 (adds the option only).
# Teachers: session 15's patience-6 Toys SASRec-CE of the same seed (runs/s15/sas-t-pat6-sS).
# lane A: control, d_model 128 without the init (frozen15); lane B: d_model 128 with the init (frozen17), seed 0
nohup runs/s17/toys_d128.sh 0 > runs/s17/laneA.log 2>&1 &
nohup runs/s17/toys_init.sh 0 > runs/s17/laneB.log 2>&1 &
# init seed 0 climbed to 0.0642 at epoch 6 (d_model 64 base: 0.0635 at 13 of 19); seeds 1 and 2 queued:
nohup runs/s17/after.sh runs/s17/t-kd-d128-init-pat6-s0 runs/s17/toys_init.sh 1 > runs/s17/laneC.log 2>&1 &
nohup runs/s17/after.sh runs/s17/t-kd-d128-pat6-s0 runs/s17/toys_init.sh 2 > runs/s17/laneD.log 2>&1 &
# d_model 128 control: 0.0612 at 13 of 19 (below d_model 64's 0.0635). Init, seeds 0-2: 0.0642 @ 6/12, then
# seeds 1, 2 near d_model 64's (0.0630, 0.0637): it learns faster (epoch 1: ~0.052 against ~0.020) but levels at
# the same height. One change on it: lr 0.001 instead of 0.003, seeds 0 and 1 (validation only):
nohup runs/s17/after.sh runs/s17/t-kd-d128-init-pat6-s2 runs/s17/toys_init_lr.sh 0 > runs/s17/laneE.log 2>&1 &
nohup runs/s17/after.sh runs/s17/t-kd-d128-init-pat6-s1 runs/s17/toys_init_lr.sh 1 > runs/s17/laneF.log 2>&1 &
# lr 0.001, seed 0: 0.0640 @ 6/12 against 0.0642 @ 6/12 with lr 0.003: no gain; seed 1 stopped after a few minutes to free the core
# After the checks (fresh-clone suite and main job): the same init on Beauty, seeds 0 and 1 (validation only),
# against session 16's students (0.0691, 0.0665): a screen in the session's last hour
nohup runs/s17/beauty_init.sh 0 > runs/s17/laneG.log 2>&1 &
nohup runs/s17/beauty_init.sh 1 > runs/s17/laneH.log 2>&1 &
