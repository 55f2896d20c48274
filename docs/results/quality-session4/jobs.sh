# Session 4, second queue: jobs claimed in order by two workers (runs/s4/worker.sh), one per core.
. runs/s4/common.sh
NU="--model.init_args.user_input false"
choose_user_input() {  # waits for the user_input=false seed-0 fit; prints the overrides of the better one
  while [ ! -f runs/s4/b-gen-nu-s0/times.txt ]; do sleep 30; done
  a=$(best_val b-gen-d01-s0); b=$(best_val b-gen-nu-s0)
  .venv/bin/python -c "print('' if $a >= $b else '$NU')"
}
job_nu_s0() { $F b-gen-nu-s0 conf/beauty-items.yaml --seed_everything 0 --data.seed 0 $NU $ES; }
job_sasrec_s1() {
  $F b-sasrec-conv-s1 conf/beauty-sasrec-windows.yaml --seed_everything 1 --data.seed 1 $ES --model.init_args.export_embeddings runs/s4/b-sasrec-conv-s1/item_embeddings.parquet
  $T b-sasrec-conv-s1 conf/beauty-sasrec-windows.yaml
}
job_gen_s1() { C=$(choose_user_input); echo "chosen: '$C'" > runs/s4/choice.txt
  $F b-gen-c-s1 conf/beauty-items.yaml --seed_everything 1 --data.seed 1 $C $ES; $T b-gen-c-s1 conf/beauty-items.yaml $C; }
job_gen_s2() { C=$(choose_user_input)
  [ -n "$C" ] && $T b-gen-nu-s0 conf/beauty-items.yaml $C
  $F b-gen-c-s2 conf/beauty-items.yaml --seed_everything 2 --data.seed 2 $C $ES; $T b-gen-c-s2 conf/beauty-items.yaml $C; }
job_sasrec_s2() {
  $F b-sasrec-conv-s2 conf/beauty-sasrec-windows.yaml --seed_everything 2 --data.seed 2 $ES --model.init_args.export_embeddings runs/s4/b-sasrec-conv-s2/item_embeddings.parquet
  $T b-sasrec-conv-s2 conf/beauty-sasrec-windows.yaml
}
job_toys_gen_s0() { C=$(choose_user_input)
  $F t-gen-c-s0 conf/beauty-items.yaml $TOYS --seed_everything 0 --data.seed 0 $C $ES; $T t-gen-c-s0 conf/beauty-items.yaml $TOYS $C; }
job_toys_sasrec_s0() {
  $F t-sasrec-conv-s0 conf/beauty-sasrec-windows.yaml $TOYS --seed_everything 0 --data.seed 0 $ES --model.init_args.export_embeddings runs/s4/t-sasrec-conv-s0/item_embeddings.parquet
  $T t-sasrec-conv-s0 conf/beauty-sasrec-windows.yaml $TOYS
}
JOBS="nu_s0 sasrec_s1 gen_s1 gen_s2 sasrec_s2 toys_gen_s0 toys_sasrec_s0"
job_toys_gen_s1() { C=$(choose_user_input)
  $F t-gen-c-s1 conf/beauty-items.yaml $TOYS --seed_everything 1 --data.seed 1 $C $ES; $T t-gen-c-s1 conf/beauty-items.yaml $TOYS $C; }
job_toys_gen_s2() { C=$(choose_user_input)
  $F t-gen-c-s2 conf/beauty-items.yaml $TOYS --seed_everything 2 --data.seed 2 $C $ES; $T t-gen-c-s2 conf/beauty-items.yaml $TOYS $C; }
job_toys_sasrec_s1() {
  $F t-sasrec-conv-s1 conf/beauty-sasrec-windows.yaml $TOYS --seed_everything 1 --data.seed 1 $ES --model.init_args.export_embeddings runs/s4/t-sasrec-conv-s1/item_embeddings.parquet
  $T t-sasrec-conv-s1 conf/beauty-sasrec-windows.yaml $TOYS
}
job_toys_sasrec_s2() {
  $F t-sasrec-conv-s2 conf/beauty-sasrec-windows.yaml $TOYS --seed_everything 2 --data.seed 2 $ES --model.init_args.export_embeddings runs/s4/t-sasrec-conv-s2/item_embeddings.parquet
  $T t-sasrec-conv-s2 conf/beauty-sasrec-windows.yaml $TOYS
}
JOBS="sasrec_s2 toys_sasrec_s0 gen_s1 gen_s2 toys_gen_s0 toys_sasrec_s1 toys_gen_s1 toys_sasrec_s2 toys_gen_s2"
job_index_1m() {  # issue 13: the indexers at 1M items, current code (PYTHONPATH: main's packages)
  ( export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=/work/main; echo -10 > /proc/self/autogroup 2>/dev/null
    /usr/bin/time -v .venv/bin/python benchmarks/catalog_scale.py --sizes 1000000 --indexers sci rq --models \
      --timeout 1500 --out runs/s4/index_1m.json > runs/s4/index_1m.log 2>&1 )
}
JOBS="sasrec_s2 toys_sasrec_s0 gen_s1 gen_s2 toys_gen_s0 toys_sasrec_s1 toys_gen_s1 index_1m toys_sasrec_s2 toys_gen_s2"
