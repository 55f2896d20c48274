# Session 20, last 40 minutes: the Beauty teachers of seeds 0 and 1 (conf/beauty-sasrec-windows.yaml,
# patience 6), for a later Beauty screen of distill_prefixes 4 with same-teacher pairs. Code: 696e837.
teacher() {  # teacher SEED
  runs/s20/fit.sh sas-b-s$1 conf/beauty-sasrec-windows.yaml --seed_everything $1 --data.seed $1 \
    --model.init_args.export_embeddings runs/s20/sas-b-s$1/item_embeddings.parquet
}
export -f teacher
nohup bash -c 'teacher 0' > runs/s20/laneA.log 2>&1 &
nohup bash -c 'teacher 1' > runs/s20/laneB.log 2>&1 &
