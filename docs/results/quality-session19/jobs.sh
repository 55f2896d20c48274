# Session 20 queue (runs/s19 kept as the folder name: it finishes session 19's screen). The machine held
# none of session 19's runs: the Toys teachers of seeds 1 and 2 are trained again (session 18 found they
# replay to four digits), then the K=4 student of the same seed. Seed 0's K=4 figure is session 19's.
teacher() {  # teacher SEED
  runs/s19/fit.sh sas-t-s$1 conf/toys-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s19/sas-t-s$1/item_embeddings.parquet
}
kd() {  # kd NAME SEED [overrides]: the Toys student of seed S from teacher sas-t-sS
  local n=$1 s=$2; shift 2
  runs/s19/fit.sh $n conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s19/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s19/sas-t-s$s/item_embeddings.parquet "$@"
}
export -f teacher kd
nohup bash -c 'teacher 1; kd t-kdp4-s1 1 --model.init_args.distill_prefixes 4' > runs/s19/laneA.log 2>&1 &
nohup bash -c 'teacher 2; kd t-kdp4-s2 2 --model.init_args.distill_prefixes 4' > runs/s19/laneB.log 2>&1 &
# 21:05: the students do not replay across sessions (seed 1's K=4 student reads 0.0642 at epoch 8, session
# 19's 0.0616), so session 18's base students are no fair pair for this session's teachers: each lane
# fits the base student (K=0, same frozen code) of its seed from the same teacher once its K=4 run ends.
kdafter() {  # kdafter SEED: the base student of seed S once the K=4 student of S has finished
  while [ ! -f runs/s19/t-kdp4-s$1/times.txt ]; do sleep 15; done; kd t-kd-s$1 $1
}
export -f kdafter
nohup bash -c 'kdafter 1' > runs/s19/laneA2.log 2>&1 &
nohup bash -c 'kdafter 2' > runs/s19/laneB2.log 2>&1 &
# 21:32: seeds 1 and 2 of K=4 are ahead of their base students; lane A (free) trains the seed-0 teacher
# again and its K=4 student (with 696e837's code, /work/frozen20: the same arithmetic grouped by prefix),
# so that all three K=4 students have a checkpoint for a test read. Lane B, after seed 2's base student:
# the cost before and after 696e837 (speed_ab_seq.sh).
nohup bash -c 'teacher 0; FROZEN=/work/frozen20 kd t-kdp4-s0 0 --model.init_args.distill_prefixes 4' > runs/s19/laneA3.log 2>&1 &
nohup bash -c 'while [ ! -f runs/s19/t-kd-s2/times.txt ]; do sleep 15; done; runs/s19/speed_ab_seq.sh' > runs/s19/laneB3.log 2>&1 &
# 22:09: after the test read, the base student of seed 0 from this session's seed-0 teacher, with the same
# code as its K=4 student (/work/frozen20), so that seed 0 also has a same-teacher pair (validation only).
nohup bash -c 'FROZEN=/work/frozen20 kd t-kd-s0 0 --model.init_args.distill_prefixes 0' > runs/s19/laneA4.log 2>&1 &
