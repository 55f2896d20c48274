# Session 20, last 40 minutes: the Beauty teachers of seeds 0 and 1 (conf/beauty-sasrec-windows.yaml,
# patience 6), for a later Beauty screen of distill_prefixes 4 with same-teacher pairs. Code: 696e837.
teacher() {  # teacher SEED
  runs/s20/fit.sh sas-b-s$1 conf/beauty-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s20/sas-b-s$1/item_embeddings.parquet
}
export -f teacher
nohup bash -c 'teacher 0' > runs/s20/laneA.log 2>&1 &
nohup bash -c 'teacher 1' > runs/s20/laneB.log 2>&1 &
# Session 21 (runs/s20 kept as the folder name: it goes on with session 20's Beauty teachers). Lane A: the
# seed-2 teacher; lane B: the base students (K=0) of seeds 0, 1, 2 from their same-seed teachers, with the
# code of the teachers (/work/frozen20 = 696e837). The K=4 students follow once lanes free up.
kd() {  # kd NAME SEED [overrides]: the Beauty student of seed S from teacher sas-b-sS
  local n=$1 s=$2; shift 2
  runs/s20/fit.sh $n conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet "$@"
}
kdafter() {  # kdafter SEED [overrides]: like kd b-kd*-sS once teacher S has finished
  local s=$1; shift
  while [ ! -f runs/s20/sas-b-s$s/times.txt ]; do sleep 15; done; kd "$@"
}
export -f teacher kd kdafter
nohup bash -c 'teacher 2' > runs/s20/laneA21.log 2>&1 &
nohup bash -c 'kd b-kd-s0 0 --model.init_args.distill_prefixes 0; kd b-kd-s1 1 --model.init_args.distill_prefixes 0; kdafter 2 b-kd-s2 2 --model.init_args.distill_prefixes 0' > runs/s20/laneB21.log 2>&1 &
# 23:23: lane B stopped after 5 epochs and restarted on 3fa59fd (/work/frozen21): training scores Beauty's
# narrow sibling sets by prefix group too (the gather path cost 1.2 s per K=4 step), and the teacher's
# softmax is taken once per step. The teacher's code is unchanged. Every Beauty student runs on frozen21.
nohup bash -c 'export FROZEN=/work/frozen21; kd b-kd-s0 0 --model.init_args.distill_prefixes 0; kd b-kd-s1 1 --model.init_args.distill_prefixes 0; kdafter 2 b-kd-s2 2 --model.init_args.distill_prefixes 0' > runs/s20/laneB21.log 2>&1 &
# The K=4 students (frozen21): lane A after the seed-2 teacher (seeds 0 and 1), lane B after its base
# students (seed 2).
nohup bash -c 'export FROZEN=/work/frozen21; while [ ! -f runs/s20/sas-b-s2/times.txt ]; do sleep 15; done; kd b-kdp4-s0 0 --model.init_args.distill_prefixes 4; kd b-kdp4-s1 1 --model.init_args.distill_prefixes 4' > runs/s20/laneA21b.log 2>&1 &
nohup bash -c 'export FROZEN=/work/frozen21; while [ ! -f runs/s20/b-kd-s2/times.txt ]; do sleep 15; done; kd b-kdp4-s2 2 --model.init_args.distill_prefixes 4' > runs/s20/laneB21b.log 2>&1 &
# 00:31: lane B (free): the cost A/B of the Beauty student (speed_ab_beauty.sh). Lane A, once seed 1's K=4
# student ends: the test read (test_all.sh): K=4 is not ahead on Beauty validation (paired over seeds), so
# Beauty's configuration stays at K=0 and its base students and teachers are tested as a rerun.
nohup bash -c 'while [ ! -f runs/s20/b-kdp4-s1/times.txt ]; do sleep 15; done; runs/s20/test_all.sh' > runs/s20/test_all.log 2>&1 &
