#!/usr/bin/env bash
# Session 28 queue as it ran (two lanes, one thread each). Beauty student (conf/beauty-distilled.yaml, the README's
# commands: taught by the averaged SASRec-CE of its seed) with one change each; validation only (val_users.sh: all
# validation users); code /work/frozen27 (f5309b0).
bscreen() {  # bscreen SEED NAME overrides...: the README's student of seed SEED with the overrides after its own
  local s=$1 n=$2; shift 2
  local t=runs/s23/sas-b-ema-s$s; [ $s = 0 ] && t=runs/s22/sas-b-ema-s0
  runs/s28/fit.sh $n-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet "$@" \
    && runs/s28/val_users.sh $n-s$s conf/beauty-distilled.yaml $s \
    --model.init_args.distill_from $t/ck/last.ckpt --data.indexer.init_args.embeddings $t/item_embeddings.parquet "$@"
}
export -f bscreen
# codes from the teacher's embeddings with their popularity directions projected out (debias.py), and no weight decay
# (an item row that no target's cluster holds only decays: a rare row far more often than under SASRec-CE's softmax)
nohup bash -c 'bscreen 0 b-debias --data.indexer.init_args.embeddings runs/s28/emb-debiased-s0.parquet' > runs/s28/laneA1.log 2>&1 &
nohup bash -c 'bscreen 0 b-wd0 --model.init_args.weight_decay 0' > runs/s28/laneB1.log 2>&1 &
# b-debias-s0 on all validation users: 0.0619 against 0.0620, rarest quarter -0.0041, most popular +0.0056: codes that
# mix popular and rare items cost the rare ones. The other way: the popularity directions doubled (rare with rare)
nohup bash -c 'bscreen 0 b-pop2 --data.indexer.init_args.embeddings runs/s28/emb-pop2-s0.parquet' > runs/s28/laneA2.log 2>&1 &
# b-wd0-s0 on all validation users: 0.0616 against 0.0620 (-0.0005 [-0.0011, +0.0001]). Its core: b-pop2's seed 1 at once
# (stopped if seed 0 loses), the popularity directions of seed 1's teacher found and doubled the same way
nohup bash -c 'bscreen 1 b-pop2 --data.indexer.init_args.embeddings runs/s28/emb-pop2-s1.parquet' > runs/s28/laneB2.log 2>&1 &
# b-pop2-s0 on all validation users: 0.0612 against 0.0620 (-0.0008 [-0.0022, +0.0005]; rarest -0.0016, most popular
# +0.0019). 18:53: b-pop2-s1 stopped by hand after 18 epochs (subset 0.0676, not validated on all users, not compared).
# after the first fresh-clone checks (19:20): b-debias seeds 1 and 2, to see whether its slope (rarest -0.0041, most
# popular +0.0056 on seed 0) holds over seeds
nohup bash -c 'bscreen 1 b-debias --data.indexer.init_args.embeddings runs/s28/emb-debiased-s1.parquet' > runs/s28/laneA3.log 2>&1 &
nohup bash -c 'bscreen 2 b-debias --data.indexer.init_args.embeddings runs/s28/emb-debiased-s2.parquet' > runs/s28/laneB3.log 2>&1 &
# b-debias, seeds 0-2 on all validation users: 0.0619, 0.0613, 0.0613 against 0.0620, 0.0609, 0.0610: +0.0002
# [-0.0006, +0.0009]; rarest -0.0028 [-0.0038, -0.0017], most popular +0.0037 [+0.0016, +0.0058]. Not adopted.
