#!/usr/bin/env bash
# usage: ml_items.sh SEED: conf/beauty-items.yaml (the generative model without a teacher: co-SCI codes) on the same
# MovieLens-100k log and options as ml_recipe.sh, fit then test once, for reference.
s=$1
D="--data.path runs/s24/data/ml100k.csv --data.format auto --data.log.user_col user_id --data.log.item_col item_id
   --data.log.time_col timestamp --data.log.k_core 5 --seed_everything $s --data.seed $s"
runs/s24/fit.sh ml-items-s$s conf/beauty-items.yaml $D
runs/s24/test.sh ml-items-s$s conf/beauty-items.yaml $D
