#!/usr/bin/env bash
# Session 26: `lightlm compare --by item_train_count` into docs/results/quality-session26/compare/, validation and
# test, Beauty and Toys, all users, seeds 0-2 averaged per user: (1) SASRec-CE taught by SASRec-CE (sas-bd, sas-td;
# rescore.sh, rescore_toys.sh) against its teacher, the README's baseline (session 25's re-scoring); (2) the README's
# student against SASRec-CE taught by the same teacher.
. .venv/bin/activate
o=docs/results/quality-session26/compare; mkdir -p $o
P=runs/s26/paired; Q=runs/s25/paired
M="--metrics ndcg@10 recall@10 mrr@20 --by item_train_count --bins 4"
for split in val test; do
  lightlm compare --a $Q/beauty-sas-ema-s{0,1,2}/$split.parquet --b $P/beauty-sas-bd-s{0,1,2}/$split.parquet \
    --names "SASRec-CE, averaged (the teacher)" "SASRec-CE taught by it" $M --out $o/beauty-sas-$split.json
  lightlm compare --a $P/beauty-sas-bd-s{0,1,2}/$split.parquet --b $Q/beauty-kd-emat-s{0,1,2}/$split.parquet \
    --names "SASRec-CE taught by the teacher" "student taught by the same teacher" $M \
    --out $o/beauty-student-$split.json
  [ -f $P/toys-sas-td-s2/$split.parquet ] || continue
  lightlm compare --a $Q/toys-sas-s{0,1,2}/$split.parquet --b $P/toys-sas-td-s{0,1,2}/$split.parquet \
    --names "SASRec-CE (the teacher)" "SASRec-CE taught by it" $M --out $o/toys-sas-$split.json
  lightlm compare --a $P/toys-sas-td-s{0,1,2}/$split.parquet --b $Q/toys-kd-ema-s{0,1,2}/$split.parquet \
    --names "SASRec-CE taught by the teacher" "student taught by the same teacher" $M \
    --out $o/toys-student-$split.json
done
# (3) the README's Beauty student against the same student taught by SASRec-CE taught by SASRec-CE (b-kdbd-sS,
# validation only), and that student against its teacher
files=$(ls runs/s26/b-kdbd-s[012]/val_users.parquet 2>/dev/null)
if [ -n "$files" ]; then
  seeds=$(for f in $files; do basename $(dirname $f) | sed 's/.*-s//'; done)
  lightlm compare --a $(for s in $seeds; do echo $Q/beauty-kd-emat-s$s/val.parquet; done) --b $files \
    --names "student (README commands)" "student taught by the taught SASRec-CE" $M --out $o/beauty-kdbd-val.json
  lightlm compare --a $(for s in $seeds; do echo $P/beauty-sas-bd-s$s/val.parquet; done) --b $files \
    --names "SASRec-CE taught by SASRec-CE (the teacher)" "student taught by it" $M --out $o/beauty-kdbd-teacher-val.json
fi
