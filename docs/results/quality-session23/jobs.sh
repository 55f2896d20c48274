# Session 23 (AMD EPYC, 2 cores, no GPU; one thread per run). Record of the queue as it ran: do not source it.
# Beauty SASRec-CE with the students' weight average (EMAWeights 0.99), seeds 1 and 2 (seed 0: session 22,
# runs/s22/sas-b-ema-s0), code /work/frozen22 = 8180b1a as seed 0's: is the averaged SASRec-CE the stronger
# Beauty baseline on all validation users?
E="--trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.99"
bsasema() {  # bsasema SEED
  runs/s23/fit.sh sas-b-ema-s$1 conf/beauty-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s23/sas-b-ema-s$1/item_embeddings.parquet $E
}
export -f bsasema; export E
nohup bash -c 'bsasema 1' > runs/s23/laneA.log 2>&1 &
nohup bash -c 'bsasema 2' > runs/s23/laneB.log 2>&1 &
# 04:46, a third process: the Beauty student (conf/beauty-distilled.yaml, which has the average since session 22)
# taught by the averaged SASRec-CE of its seed, its last.ckpt (the averaged weights) and the embeddings its fit
# wrote (the averaged rows), with the code of session 22's Beauty students (/work/frozen21 = 3fa59fd).
bkdema() {  # bkdema SEED TEACHER_DIR
  local s=$1 t=$2
  FROZEN=/work/frozen21 runs/s23/fit.sh b-emat-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
}
export -f bkdema
nohup bash -c 'bkdema 0 runs/s22/sas-b-ema-s0' > runs/s23/laneC.log 2>&1 &
# 05:19: b-emat-s0 read 0.0620 on all validation users (fullval.sh), level with session 22's b-ema-s0 (0.0622,
# taught by the un-averaged teacher). Lane C then screens a wider student feed-forward on the same seed and
# teacher as b-ema-s0: d_ff 256 (the teacher's) instead of the small preset's 16, one change.
bkd() {  # bkd NAME SEED [overrides]: the Beauty student of seed S from teacher sas-b-sS (sessions 20-21)
  local n=$1 s=$2; shift 2
  FROZEN=/work/frozen21 runs/s23/fit.sh $n conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet "$@"
}
export -f bkd
nohup bash -c 'bkd b-ff256-s0 0 --model.init_args.d_ff 256' > runs/s23/laneC2.log 2>&1 &
# 05:28, lane B (free after sas-b-ema-s2): the same seed-0 student without dropout (0.1 in the preset), one change:
# under distillation the soft targets already regularise (session 13), so dropout may hold the student back.
nohup bash -c 'bkd b-do0-s0 0 --model.init_args.dropout 0.0' > runs/s23/laneB2.log 2>&1 &
# 05:46: on all validation users (fullval_all.sh) d_ff 256 read 0.0594 and dropout 0 0.0614 (best epoch 9 of 15),
# both below b-ema-s0's 0.0622: neither goes further. Next, one change each on the same seed and teacher: a
# learning rate twice the config's (the average smooths the noisier steps: the SWA argument), and more weight on
# the teacher's soft targets (0.8 instead of 0.5; level on Toys without the average, session 13).
nohup bash -c 'bkd b-lr6-s0 0 --model.init_args.lr 0.006' > runs/s23/laneA2.log 2>&1 &
nohup bash -c 'bkd b-w8-s0 0 --model.init_args.distill_weight 0.8' > runs/s23/laneB3.log 2>&1 &
# 05:47: the distillation-weight run was stopped in its first epoch and removed, for a likelier lever: noise on
# the student's input only (`input_dropout 0.2`: a fifth of the history positions blanked in training, while the
# teacher reads the whole history), the "noisy student" recipe; dropout 0 had just read lower (0.0614), so more
# noise, not less, is the direction.
nohup bash -c 'bkd b-id2-s0 0 --model.init_args.input_dropout 0.2' > runs/s23/laneB4.log 2>&1 &
# 06:03: on all validation users the learning rate 0.006 read 0.0618 and input_dropout 0.2 0.0606, both below
# b-ema-s0's 0.0622. A last round, one change each on the same seed and teacher: half the batch (128: twice the
# optimizer steps, the average's horizon half an epoch), and 200 clusters of the teacher's embeddings instead
# of 100 (a sharper cluster step, half the siblings per item).
nohup bash -c 'bkd b-bs128-s0 0 --data.batch_size 128' > runs/s23/laneA3.log 2>&1 &
nohup bash -c 'bkd b-c200-s0 0 --data.indexer.init_args.codebook_size 200' > runs/s23/laneB5.log 2>&1 &
# 06:18: on all validation users batch 128 read 0.0617 and 200 clusters 0.0607, both below 0.0622: no change of
# the seven gains. Then exact_val.sh: b-ema-s0 ranked by the exact scorer on all validation users (0.06214 against
# beam search's 0.06218), so exact ranking is no lever; the test split was not read for any screen.
FROZEN=/work/frozen21 runs/s23/exact_val.sh runs/s22/b-ema-s0 conf/beauty-distilled.yaml 0 \
  --model.init_args.distill_from runs/s20/sas-b-s0/ck/last.ckpt \
  --data.indexer.init_args.embeddings runs/s20/sas-b-s0/item_embeddings.parquet
# 06:26: the averaged SASRec-CE is now Beauty's baseline, so conf/beauty-sasrec-windows.yaml gets the callback and
# the README's Beauty commands teach the student with it; seeds 1 and 2 of the student taught by the averaged
# teacher (as b-emat-s0), so that path is measured on three seeds.
nohup bash -c 'bkdema 1 runs/s23/sas-b-ema-s1' > runs/s23/laneA4.log 2>&1 &
nohup bash -c 'bkdema 2 runs/s23/sas-b-ema-s2' > runs/s23/laneB6.log 2>&1 &
# 06:41: full validations of b-emat-s1/s2 (fullval_all.sh), then test_emat.sh reads the test split once for the three
# students taught by the averaged teachers, the pipeline the README's Beauty commands now run.
