# Session 15: Toys, patience 6 instead of 3 for BOTH models (the teacher/baseline SASRec-CE and the distilled
# student), validation first, 3 seeds. /work/frozen15: worktree of 4950217. fit.sh / test.sh as in session 14.
# SASRec-CE (also the teacher), its final item embeddings written at the end of its fit:
for s in 0 1; do nohup runs/s15/fit.sh sas-t-pat6-s$s conf/toys-sasrec-windows.yaml --seed_everything $s --data.seed $s --trainer.callbacks.patience 6 --model.init_args.export_embeddings runs/s15/sas-t-pat6-s$s/item_embeddings.parquet > /dev/null 2>&1 & done
# two lanes: lane A = the seed-2 teacher after seed 0's, then the seed-2 student; lane B = students 1 then 0
# (student.sh S: conf/toys-distilled.yaml, teacher runs/s15/sas-t-pat6-sS/ck/last.ckpt and its embeddings, patience 6)
nohup bash -c 'runs/s15/after.sh sas-t-pat6-s0 sas-t-pat6-s2 conf/toys-sasrec-windows.yaml --seed_everything 2 --data.seed 2 --trainer.callbacks.patience 6 --model.init_args.export_embeddings runs/s15/sas-t-pat6-s2/item_embeddings.parquet; runs/s15/student.sh 2' > runs/s15/laneA.log 2>&1 &
nohup bash -c 'runs/s15/student.sh 1; runs/s15/student.sh 0' > runs/s15/laneB.log 2>&1 &
# SASRec-CE with patience 6 beat patience 3 on Toys validation (0.0645, 0.0651, 0.0645 against 0.0624, 0.0638, 0.0618):
# chosen; its test, read once (--model.init_args.export_embeddings null: the test leaves the teacher's table as it is):
for s in 0 1 2; do runs/s15/test.sh sas-t-pat6-s$s conf/toys-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.export_embeddings null; done
# Beauty SASRec-CE with patience 6, seeds 0 and 1 (validation only: is session 12's Beauty baseline under-trained too?), after the students:
nohup bash -c 'runs/s15/after.sh t-sas-kd-pat6-s0 sas-b-pat6-s0 conf/beauty-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --trainer.callbacks.patience 6 --model.init_args.export_embeddings runs/s15/sas-b-pat6-s0/item_embeddings.parquet' > runs/s15/laneC.log 2>&1 &
nohup bash -c 'runs/s15/after.sh t-sas-kd-pat6-s2 sas-b-pat6-s1 conf/beauty-sasrec-windows.yaml --seed_everything 1 --data.seed 1 --trainer.callbacks.patience 6 --model.init_args.export_embeddings runs/s15/sas-b-pat6-s1/item_embeddings.parquet' > runs/s15/laneD.log 2>&1 &
# Students with patience 6 (from the patience-6 teachers): 0.0635, 0.0630, 0.0637 against session 14's 0.0621, 0.0641, 0.0613
# (patience 3, session 12's teachers): the best validation mean of the students, so its test, read once:
nohup runs/s15/test_students.sh > runs/s15/test_students.log 2>&1 &
# Students' test: 0.0512, 0.0496, 0.0505 against SASRec-CE (patience 6) 0.0529, 0.0539, 0.0529: 0.95x.
# Beauty SASRec-CE patience 6 (validation only): 0.0680 @ 24/30 (seed 0), 0.0643 @ 26/32 (seed 1) against 0.0660, 0.0637 (patience 3).
