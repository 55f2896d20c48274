# Session 22 (AMD EPYC, 2 cores, code /work/frozen22 = 8180b1a). Toys K=4 students (conf/toys-distilled.yaml)
# from sessions 19-20's teachers (runs/s19/sas-t-sS): the learning-rate decay ending at epoch 20
# (--trainer.max_epochs 20) against the same students with the config's 40, same code and machine, paired by seed.
kd() {  # kd NAME SEED [overrides]: the Toys student of seed S from teacher sas-t-sS
  local n=$1 s=$2; shift 2
  runs/s22/fit.sh $n conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet "$@"
}
export -f kd
nohup bash -c 'kd t-e20-s0 0 --trainer.max_epochs 20; kd t-e20-s1 1 --trainer.max_epochs 20; kd t-e20-s2 2 --trainer.max_epochs 20' > runs/s22/laneA.log 2>&1 &
nohup bash -c 'kd t-e40-s0 0; kd t-e40-s1 1; kd t-e40-s2 2' > runs/s22/laneB.log 2>&1 &
# 01:52: the e40 student of seed 0 replayed session 20's t-kdp4-s0 digit for digit through epoch 9 (this AMD
# machine, this code), so lane B was stopped and the recorded students (runs/s19/t-kdp4-s*) serve as the
# baseline; lane B runs the seed-2 e20 student instead.
nohup bash -c 'kd t-e20-s2 2 --trainer.max_epochs 20' > runs/s22/laneB.log 2>&1 &
# (Sourcing this file at 01:50 also restarted the two lanes above for a few seconds; those duplicates were killed
# before their first epoch. One of them truncated t-e20-s0/fit.log, so its head is missing; metrics.csv is whole.)
# 02:12, lane B (free after t-e20-s2): seed 0 with an exponential moving average of the weights (decay 0.99, about
# 1.25 Toys epochs of 80 steps), validated and checkpointed in their place; max_epochs 40 as the config.
nohup bash -c 'kd t-ema-s0 0 --trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.99' > runs/s22/laneB2.log 2>&1 &
# 02:20, lane A after t-e20-s1: seed 0 with the teacher's feed-forward width (d_ff 256 instead of the small
# preset's 16; one change from the config, max_epochs 40): under distillation a wider student may take more
# of the teacher in.
nohup bash -c 'while [ ! -f runs/s22/t-e20-s1/times.txt ]; do sleep 15; done; kd t-ff256-s0 0 --model.init_args.d_ff 256' > runs/s22/laneA2.log 2>&1 &
# (That launcher failed at once: `kd` was not exported in its shell. Started again at 02:32.)
# 02:33: t-ema-s0 read 0.0615 on all validation users (its K=4 baseline 0.0588, the e20 student 0.0608), so the
# d_ff 256 screen was stopped within its first epoch and removed, and both lanes run the EMA students of
# seeds 1 and 2.
E="--trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.99"
nohup bash -c "kd t-ema-s1 1 $E" > runs/s22/laneB3.log 2>&1 &
nohup bash -c "kd t-ema-s2 2 $E" > runs/s22/laneA3.log 2>&1 &
# The same care for the baseline: SASRec-CE (conf/toys-sasrec-windows.yaml, as the teachers sas-t-sS) with the
# same EMA, queued after the students (lane B: seeds 0 and 1 after t-ema-s1; lane A: seed 2 after t-ema-s2).
sasema() {  # sasema SEED
  runs/s22/fit.sh sas-ema-s$1 conf/toys-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s22/sas-ema-s$1/item_embeddings.parquet $E
}
after() { while [ ! -f runs/s22/$1/times.txt ]; do sleep 15; done; }
export -f sasema after; export E
nohup bash -c 'after t-ema-s1; sasema 0; sasema 1' > runs/s22/laneB4.log 2>&1 &
nohup bash -c 'after t-ema-s2; sasema 2' > runs/s22/laneA4.log 2>&1 &
# 03:06: lane B's chain was stopped after its first run had started (sas-ema-s0 goes on) and the seed-1 SASRec-CE
# with EMA started at once as a third process, so that the three finish together.
nohup bash -c 'sasema 1' > runs/s22/laneC.log 2>&1 &
# 03:28: Beauty, the same average screened on conf/beauty-distilled.yaml (K=0), each seed's student taught by its
# session 20-21 teacher (runs/s20/sas-b-sS), with the code of sessions 20-21's base students (/work/frozen21 =
# 3fa59fd), whose runs (runs/s20/b-kd-sS, full validations in quality-session21/) are the baseline.
bkd() {  # bkd NAME SEED [overrides]: the Beauty student of seed S from teacher sas-b-sS
  local n=$1 s=$2; shift 2
  FROZEN=/work/frozen21 runs/s22/fit.sh $n conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet "$@"
}
export -f bkd
nohup bash -c "bkd b-ema-s0 0 $E; bkd b-ema-s2 2 $E" > runs/s22/laneA5.log 2>&1 &
nohup bash -c "bkd b-ema-s1 1 $E" > runs/s22/laneB5.log 2>&1 &
# 03:47: Beauty's SASRec-CE with the same average, seed 0 only (time left for one run), this session's code.
bsasema() {  # bsasema SEED
  runs/s22/fit.sh sas-b-ema-s$1 conf/beauty-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s22/sas-b-ema-s$1/item_embeddings.parquet $E
}
export -f bsasema
nohup bash -c 'bsasema 0' > runs/s22/laneB6.log 2>&1 &
