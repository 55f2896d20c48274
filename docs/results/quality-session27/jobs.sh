#!/usr/bin/env bash
# Session 27 queue as it ran (two lanes, one thread each). Beauty student (conf/beauty-distilled.yaml, the README's
# commands: taught by the averaged SASRec-CE of its seed, codes from its embeddings) with one change:
# --model.init_args.distill_catalogue W (the item step also reads the teacher's whole catalogue softmax);
# validation only (val_users.sh: all validation users); code /work/frozen27 (f5309b0).
bcat() {  # bcat SEED WEIGHT
  local t=runs/s23/sas-b-ema-s$1; [ $1 = 0 ] && t=runs/s22/sas-b-ema-s0
  local n=b-cat$2-s$1
  runs/s27/fit.sh $n conf/beauty-distilled.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet \
    --model.init_args.distill_catalogue $2 \
    && runs/s27/val_users.sh $n conf/beauty-distilled.yaml $1 \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet
}
export -f bcat
nohup bash -c 'bcat 0 0.5' > runs/s27/laneA1.log 2>&1 &
nohup bash -c 'bcat 0 1.0' > runs/s27/laneB1.log 2>&1 &
# seed 0 on all validation users: 0.5 +0.0006 [-0.0005, +0.0017], 1.0 +0.0002 against b-emat-s0: 0.5 to seeds 1, 2
nohup bash -c 'bcat 1 0.5' > runs/s27/laneA2.log 2>&1 &
nohup bash -c 'bcat 2 0.5' > runs/s27/laneB2.log 2>&1 &
# core freed by b-cat0.5-s2 (16:08): prefix-weight sweep of the README's students (pw.sh), inference only
nohup bash -c 'for s in 0 1 2; do runs/s27/pw.sh $s 0.9 1.1; done' > runs/s27/laneB3.log 2>&1 &
# one change each from conf/beauty-distilled.yaml (seed 0 first), the base as bcat's: validation only
bscreen() {  # bscreen SEED NAME overrides...
  local s=$1 n=$2; shift 2
  local t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  runs/s27/fit.sh $n-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet "$@" \
    && runs/s27/val_users.sh $n-s$s conf/beauty-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet "$@"
}
export -f bscreen
# after b-cat0.5-s1 (lane A) and the prefix-weight sweep (lane B)
nohup bash -c 'while pgrep -f "b-cat0.5-s[1]/ck" > /dev/null; do sleep 20; done; bscreen 0 b-enc4 --model.init_args.n_enc_layers 4' > runs/s27/laneA4.log 2>&1 &
nohup bash -c 'while pgrep -f "pw[.]sh" > /dev/null; do sleep 20; done; bscreen 0 b-head1 --model.init_args.n_heads 1' > runs/s27/laneB4.log 2>&1 &
# seed 0 on all validation users: b-enc4 0.0612, b-head1 0.0619 against 0.0620. Next, aimed at the tail:
nohup bash -c 'bscreen 0 b-t2 --model.init_args.distill_temperature 2.0' > runs/s27/laneA5.log 2>&1 &
nohup bash -c 'bscreen 0 b-c50 --data.indexer.init_args.codebook_size 50' > runs/s27/laneB5.log 2>&1 &
# seed 0 on all validation users: b-t2 0.0614, b-c50 0.0621 against 0.0620. Last: the student in the teacher's shape
# (SASRec-CE's d_model 128, d_ff 256, one head, dropout 0.3 together; each alone lost before), seeds 0 and 1 at once
SHAPE="--model.init_args.d_model 128 --model.init_args.d_ff 256 --model.init_args.n_heads 1 --model.init_args.dropout 0.3"
nohup bash -c "bscreen 0 b-sasshape $SHAPE" > runs/s27/laneA6.log 2>&1 &
nohup bash -c "bscreen 1 b-sasshape $SHAPE" > runs/s27/laneB6.log 2>&1 &
# 17:03: b-sasshape-s1 stopped by hand after 11 epochs (0.0560 on the subset, the base b-emat-s1 0.0678 after as many) to free a core for the final checks
# b-sasshape-s1's per-user file renamed val_users_stopped.parquet: a stopped run stays out of compare_all.sh
