# Session 26 (AMD EPYC, 2 cores, no GPU; one thread per run). Record of the queue as it ran: do not source it.
# Diagnoses first (seed 0, all validation users, code /work/frozen25; the test split not read):
#   t=runs/s22/sas-b-ema-s0; NOEXP="--model.init_args.export_embeddings null"
#   KD="--model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet"
#   runs/s26/adj.sh sas-b-s0 $t conf/beauty-sasrec-windows.yaml 0 $NOEXP &
#   runs/s26/adj.sh kd-b-s0 runs/s23/b-emat-s0 conf/beauty-distilled.yaml 0 $KD &
#   (the student's clusters, runs/s26/clusters-b-s0.npy: the first code of each item in b-emat-s0's checkpoint index)
#   runs/s26/diag.sh runs/s26/clusters-b-s0.npy sas-b-s0 $t conf/beauty-sasrec-windows.yaml 0 $NOEXP &
#   runs/s26/diag.sh runs/s26/clusters-b-s0.npy kd-b-s0 runs/s23/b-emat-s0 conf/beauty-distilled.yaml 0 $KD &
#   then diag_table.py on the two files (diagnosis-b-s0.txt)
# Beauty SASRec-CE given the student's teacher: conf/beauty-sasrec-windows.yaml (EMA, patience 6) distilled from the
# averaged SASRec-CE of the same seed (the teacher of the README's Beauty student), distill_weight 0.5 as the
# student's; code /work/frozen26 = 557e610.
bsasbd() {  # bsasbd SEED
  local t=runs/s23/sas-b-ema-s$1; [ $1 = 0 ] && t=runs/s22/sas-b-ema-s0
  runs/s26/fit.sh sas-bd-s$1 conf/beauty-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings null --model.init_args.distill_from $t/ck/last.ckpt
}
export -f bsasbd
nohup bash -c 'bsasbd 0' > runs/s26/laneA.log 2>&1 &
nohup bash -c 'bsasbd 1' > runs/s26/laneB.log 2>&1 &
# after seed 0: seed 2 in its lane; after seed 1: seeds 0 and 1 scored on all validation users and test
nohup bash -c 'while [ ! -f runs/s26/sas-bd-s0/times.txt ]; do sleep 20; done; bsasbd 2' > runs/s26/laneA2.log 2>&1 &
nohup bash -c 'while [ ! -f runs/s26/sas-bd-s1/times.txt ] || [ ! -f runs/s26/sas-bd-s0/times.txt ]; do sleep 20; done; runs/s26/rescore.sh 0 1' > runs/s26/laneB2.log 2>&1 &
# Toys: conf/toys-sasrec-windows.yaml distilled from session 19's SASRec-CE of the same seed (the teacher of the
# README's Toys student); lane B after the Beauty scoring: seeds 0 and 1; lane A after Beauty seed 2 and its scoring:
# seed 2
tsasbd() {  # tsasbd SEED
  runs/s26/fit.sh sas-td-s$1 conf/toys-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings null --model.init_args.distill_from runs/s19/sas-t-s$1/ck/last.ckpt
}
export -f tsasbd
nohup bash -c 'while [ ! -f runs/s26/paired/beauty-sas-bd-s1/test.json ]; do sleep 20; done; tsasbd 0; tsasbd 1' > runs/s26/laneB3.log 2>&1 &
nohup bash -c 'while [ ! -f runs/s26/sas-bd-s2/times.txt ]; do sleep 20; done; runs/s26/rescore.sh 2; tsasbd 2' > runs/s26/laneA3.log 2>&1 &
# Toys scoring: seeds 0 and 2 after seed 2's fit (lane A), seed 1 after its fit (lane B)
nohup bash -c 'while [ ! -f runs/s26/sas-td-s2/times.txt ]; do sleep 20; done; runs/s26/rescore_toys.sh 0 2' > runs/s26/laneA4.log 2>&1 &
nohup bash -c 'while [ ! -f runs/s26/sas-td-s1/times.txt ]; do sleep 20; done; runs/s26/rescore_toys.sh 1' > runs/s26/laneB4.log 2>&1 &
# Does the student track its teacher? The README's Beauty student (conf/beauty-distilled.yaml, the same codes: the
# averaged SASRec-CE's embeddings) distilled from SASRec-CE taught by SASRec-CE (sas-bd-sS, final weights) instead
# of from its teacher; validation only (val_users.sh: all validation users); code /work/frozen26.
bkdbd() {  # bkdbd SEED
  local t=runs/s23/sas-b-ema-s$1; [ $1 = 0 ] && t=runs/s22/sas-b-ema-s0
  runs/s26/fit.sh b-kdbd-s$1 conf/beauty-distilled.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.distill_from runs/s26/sas-bd-s$1/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet \
    && runs/s26/val_users.sh b-kdbd-s$1 conf/beauty-distilled.yaml $1 \
    --model.init_args.distill_from runs/s26/sas-bd-s$1/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
}
export -f bkdbd
nohup bash -c 'bkdbd 0; bkdbd 2' > runs/s26/laneA5.log 2>&1 &
nohup bash -c 'bkdbd 1' > runs/s26/laneB5.log 2>&1 &  # after the final checks (started by hand at 14:31)
