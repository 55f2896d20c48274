#!/usr/bin/env bash
# Session 21: test, read once, of this session's Beauty teachers (SASRec-CE, patience 6, trained again)
# and their base students (conf/beauty-distilled.yaml, distill_prefixes 0: Beauty's configuration,
# unchanged since session 16; distill_prefixes 4 was screened on validation and not adopted). A rerun of
# session 16's configurations with this session's code, not a selection. Code: 3fa59fd (/work/frozen21).
export FROZEN=/work/frozen21
for s in 0 1 2; do
  runs/s20/test.sh sas-b-s$s conf/beauty-sasrec-windows.yaml --seed_everything $s --data.seed $s --model.init_args.export_embeddings null
  runs/s20/test.sh b-kd-s$s conf/beauty-distilled.yaml --seed_everything $s --data.seed $s \
    --model.init_args.distill_from runs/s20/sas-b-s$s/ck/last.ckpt \
    --data.indexer.init_args.embeddings runs/s20/sas-b-s$s/item_embeddings.parquet --model.init_args.distill_prefixes 0
done
