#!/usr/bin/env bash
# usage: val.sh [RUN...]: best validation NDCG@10 (epoch) and the per-epoch history of runs/s14/RUN
for r in ${@:-$(ls runs/s14 | grep -v '\.sh$')}; do
  m=$(ls runs/s14/$r/*/version_*/metrics.csv 2>/dev/null | head -1); [ -n "$m" ] || continue
  python3 -c "
import csv
v=[(int(r['epoch']),float(r['val/ndcg@10'])) for r in csv.DictReader(open('$m')) if r.get('val/ndcg@10')]
b=max(v,key=lambda x:x[1]) if v else (None,0)
print(f'$r best {b[1]:.4f}@{b[0]} |', ' '.join(f'{x:.4f}' for _,x in v))"
done
