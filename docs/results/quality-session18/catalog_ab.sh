#!/usr/bin/env bash
# Session 18: catalog_scale's model part with the kit's malloc settings against glibc's defaults
# (MALLOC_MMAP_MAX_=65536 in the environment, which the children inherit), one thread, in turn.
. .venv/bin/activate
out=runs/s18/catalog_ab; mkdir -p $out
common="--indexers --models generative sasrec --sizes 10000 100000 1000000 --train-steps 5 --users 1024 --threads 1"
MALLOC_MMAP_MAX_=65536 python benchmarks/catalog_scale.py $common --out $out/glibc.json > $out/glibc.log 2>&1
python benchmarks/catalog_scale.py $common --out $out/kit.json > $out/kit.log 2>&1
