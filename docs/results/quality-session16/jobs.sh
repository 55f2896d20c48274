# Session 16: Beauty, patience 6 for BOTH models (teacher/baseline SASRec-CE and distilled student), validation
# first, 3 seeds. /work/frozen15: worktree of 4950217 (lightlm code unchanged since). Teachers of seeds 0 and 1
# were fitted in session 15 (runs/s15/sas-b-pat6-s{0,1}, linked here).
# lane A = the seed-2 teacher, then the seed-2 student; lane B = students 0 then 1
nohup bash -c 'runs/s16/fit.sh sas-b-pat6-s2 conf/beauty-sasrec-windows.yaml --seed_everything 2 --data.seed 2 --trainer.callbacks.patience 6 --model.init_args.export_embeddings runs/s16/sas-b-pat6-s2/item_embeddings.parquet; runs/s16/student.sh 2' > runs/s16/laneA.log 2>&1 &
nohup bash -c 'runs/s16/student.sh 0; runs/s16/student.sh 1' > runs/s16/laneB.log 2>&1 &
# After the Beauty students: one change on the Toys student (validation only, seeds 0 and 1 first):
# 50 KMeans clusters of the teacher's embeddings instead of 100 (session 6: 200 lost to 100 on Toys)
nohup bash -c 'while [ ! -f runs/s16/b-sas-kd-pat6-s1/times.txt ]; do sleep 15; done; runs/s16/toys_k50.sh 0' > runs/s16/laneC.log 2>&1 &
nohup bash -c 'while [ ! -f runs/s16/b-sas-kd-pat6-s2/times.txt ]; do sleep 15; done; runs/s16/toys_k50.sh 1' > runs/s16/laneD.log 2>&1 &
# Beauty SASRec-CE patience 6 beat patience 3 on validation on every seed (0.0680, 0.0643, 0.0658 against session 12's
# 0.0660, 0.0637, 0.0622): chosen; its test, read once:
for s in 0 1 2; do runs/s16/test.sh sas-b-pat6-s$s conf/beauty-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.export_embeddings null; done
# Beauty students with patience 6 (from the patience-6 teachers): validation above session 14's patience-3 students
# (0.0671, 0.0656, 0.0661) on every seed: chosen; their test, read once:
nohup runs/s16/test_students.sh > runs/s16/test_students.log 2>&1 &
# seed 1 of 50 clusters: 0.0638 against 0.0630 with 100; seed 2 after seed 0:
nohup bash -c 'while [ ! -f runs/s16/t-kd-k50-pat6-s0/times.txt ]; do sleep 15; done; runs/s16/toys_k50.sh 2' > runs/s16/laneE.log 2>&1 &
# Beam search against the exact scorer, the chosen Beauty student of seed 0 (beauty-kd-s0.yaml: conf/beauty-distilled.yaml
# with seed 0 and the seed-0 teacher's files):
python benchmarks/beam_gap.py --config runs/s16/beauty-kd-s0.yaml --ckpt runs/s16/b-sas-kd-pat6-s0/ck/best.ckpt --users 1000 --json runs/s16/b-sas-kd-pat6-s0/beam_gap.json
# On the core the tests freed: distillation weight 0.8 on the Toys student, seed 0 (validation only)
nohup runs/s16/toys_dw08.sh 0 > runs/s16/laneF.log 2>&1 &
# 50 clusters on Toys: 0.0610, 0.0638, 0.0630 against 100 clusters' 0.0635, 0.0630, 0.0637: not adopted, test not read.
# Weight 0.8, seed 0: 0.0628 @ 11/17 against 0.0635 @ 13/19 (weight 0.5): not continued.
