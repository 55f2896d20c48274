# Session 18 queue. /work/frozen18: worktree of 105f651 (fused AdamW, init_items_from_teacher).
# Lane A: Toys SASRec-CE seed 0 (patience 6, as conf), then the conf/toys-distilled.yaml student from it,
# then the beam-vs-exact gap of that student on 1,000 validation users (never measured on Toys).
nohup bash -c 'runs/s18/fit.sh sas-t-s0 conf/toys-sasrec-windows.yaml --seed_everything 0 --data.seed 0 --model.init_args.export_embeddings runs/s18/sas-t-s0/item_embeddings.parquet; runs/s18/fit.sh t-kd-s0 conf/toys-distilled.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s18/sas-t-s0/ck/last.ckpt --data.indexer.init_args.embeddings runs/s18/sas-t-s0/item_embeddings.parquet' > runs/s18/laneA.log 2>&1 &
# /work/frozen18b: worktree of 36ab4e8 (+ keep_freed_heap: same arithmetic, less kernel time).
# Lane B, after the malloc A/B: one change on the Toys student, seed 0, validation only:
# label smoothing 0 instead of 0.1 (chosen in session 6, before distillation gave soft targets).
nohup bash -c 'while [ $(cat runs/s18/malloc_ab/times.txt 2>/dev/null | wc -l) -lt 8 ]; do sleep 15; done; FROZEN=/work/frozen18b runs/s18/fit.sh t-kd-ls0-s0 conf/toys-distilled.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s18/sas-t-s0/ck/last.ckpt --data.indexer.init_args.embeddings runs/s18/sas-t-s0/item_embeddings.parquet --model.init_args.label_smoothing 0' > runs/s18/laneB.log 2>&1 &
# 03:13: the embeddings file of sas-t-s0 had been overwritten by a resumed test fit (the bug fixed in
# the commit after 36ab4e8); restored byte for byte (digest be92a4f011f64673, the one t-kd-s0 was
# fitted with) by re-exporting its last.ckpt. The label-smoothing run had read the wrong file: discarded, rerun.
# Lane A: beam gap of t-kd-s0, then the seed-1 teacher, then students (base, ls0) of seed 1.
# Lane B: ls0 student seed 0, then the seed-2 teacher, then students (base, ls0) of seed 2.
kd() {  # kd NAME SEED [overrides]: the Toys student of seed S from teacher sas-t-sS
  local n=$1 s=$2; shift 2
  FROZEN=/work/frozen18b runs/s18/fit.sh $n conf/toys-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s18/sas-t-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s18/sas-t-s$s/item_embeddings.parquet "$@"
}
teacher() {  # teacher SEED
  FROZEN=/work/frozen18b runs/s18/fit.sh sas-t-s$1 conf/toys-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s18/sas-t-s$1/item_embeddings.parquet
}
export -f kd teacher
nohup bash -c '. .venv/bin/activate; OMP_NUM_THREADS=1 PYTHONPATH=/work/frozen18b python benchmarks/beam_gap.py --config runs/s18/toys-kd-s0.yaml --ckpt runs/s18/t-kd-s0/ck/best.ckpt --users 1000 --json runs/s18/t-kd-s0/beam_gap.json > runs/s18/t-kd-s0/beam_gap.log 2>&1; teacher 1; kd t-kd-s1 1; kd t-kd-ls0-s1 1 --model.init_args.label_smoothing 0' > runs/s18/laneA2.log 2>&1 &
nohup bash -c 'kd t-kd-ls0-s0 0 --model.init_args.label_smoothing 0; teacher 2; kd t-kd-s2 2; kd t-kd-ls0-s2 2 --model.init_args.label_smoothing 0' > runs/s18/laneB2.log 2>&1 &
# 03:27: label smoothing 0 on seed 0 is level (0.0618 against 0.0620): its seeds 1 and 2 were dropped
# (lanes' parents killed, the running teachers kept); each lane now fits the base student of its seed.
kdafter() {  # kdafter SEED: the base student of seed S once its teacher has finished
  while [ ! -f runs/s18/sas-t-s$1/times.txt ]; do sleep 15; done; kd t-kd-s$1 $1
}
export -f kdafter
nohup bash -c 'kdafter 1' > runs/s18/laneA3.log 2>&1 &
nohup bash -c 'kdafter 2' > runs/s18/laneB3.log 2>&1 &
# 03:42: the fused-AdamW students are below session 15's (seed 0: 0.0620 against 0.0635; seed 1: 0.0617
# against 0.0630) with teachers that replay session 15's. Control: /work/frozen18u = 36ab4e8 with the
# for-loop AdamW (fused=False in optimization.py and recommender.py), seed 0, after t-kd-s1 (lane A).
nohup bash -c 'while [ ! -f runs/s18/t-kd-s1/times.txt ]; do sleep 15; done; kd_u() { FROZEN=/work/frozen18u runs/s18/fit.sh t-kd-unfused-s0 conf/toys-distilled.yaml --seed_everything 0 --data.seed 0 --model.init_args.distill_from runs/s18/sas-t-s0/ck/last.ckpt --data.indexer.init_args.embeddings runs/s18/sas-t-s0/item_embeddings.parquet; }; kd_u' > runs/s18/laneA4.log 2>&1 &
# 04:01: stopped after 4 epochs: its epochs 1-3 equal the fused run's to 4 digits (0.0212 0.0360 0.0477), not session 15's (0.0200 0.0361 0.0466): fused AdamW is not what moved the students.
