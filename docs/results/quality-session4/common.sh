# Shared by lane_a.sh and lane_b.sh (session 4): convergence runs, patience 3 on val/ndcg@10.
ES="--trainer.max_epochs 40 --trainer.callbacks+=EarlyStopping --trainer.callbacks.monitor val/ndcg@10 --trainer.callbacks.mode max --trainer.callbacks.patience 3"
F=runs/s4/fit.sh; T=runs/s4/test.sh
TOYS="--data.path ../shared/data/toys/data.txt"
best_val() { .venv/bin/python - "$1" <<'PY'
import csv, glob, sys
rows = [r for f in glob.glob(f"runs/s4/{sys.argv[1]}/*/version_*/metrics.csv") for r in csv.DictReader(open(f)) if r.get("val/ndcg@10")]
print(max(float(r["val/ndcg@10"]) for r in rows))
PY
}
choose_dropout() {  # waits for both seed-0 fits, prints the dropout with the better best validation NDCG@10
  while [ ! -f runs/s4/b-gen-d01-s0/times.txt ] || [ ! -f runs/s4/b-gen-d03-s0/times.txt ]; do sleep 30; done
  a=$(best_val b-gen-d01-s0); b=$(best_val b-gen-d03-s0)
  .venv/bin/python -c "print('0.1' if $a >= $b else '0.3')"
}
