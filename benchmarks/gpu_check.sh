#!/usr/bin/env bash
# The GPU speed check, as one prepared run (sized for one H200 and a 10-minute command).
#
#   bash benchmarks/gpu_check.sh                    # results in benchmarks/results/gpu/
#
# Stages, each under its own time limit so that one hang leaves the others' numbers:
#   1. pytest -m gpu: CPU and GPU beam search return the same items for the same weights, the
#      search never syncs with the host, bf16 autocast works, decode_speed.py runs on the GPU.
#   2. lightlm fit: the paper configuration (preset lightlm: 6+6 layers, d_model 512, d_ff 16) on
#      Beauty, 10 epochs, bf16-mixed. lightlm.callbacks.timing.StageTimer times the training epochs apart
#      from validation. Goal: at most 60 s of training.
#   3. lightlm test: all 22,363 test users, 20 beams, from that checkpoint. Goal: at least 5,000
#      users/s. Test metrics in test_metrics.json.
#   4. benchmarks/decode_speed.py on the GPU with the trained weights: kit against the dict-trie
#      reference (fp32: same ranked items asserted; bf16: agreement reported), with a profile.
#   5. benchmarks/train_speed.py: samples/s and peak memory per preset, fp32 against bf16.
# Then a summary with the goals.
#
# Nothing is downloaded. The device machine's python3 (its own torch with CUDA, lightning) runs
# the kit from this tree (PYTHONPATH=.), so `pip install -e` is not needed there; the kit's CLI
# also needs jsonargparse[signatures] (stage 1 reports what is missing). Wheels for missing
# packages, prepared on a connected machine, e.g.
#     .venv/bin/pip download 'jsonargparse[signatures]' -d .gpu_wheels
# and carried as `.gpu_wheels`, are installed from that folder offline. The data: $DATA, else
# shared/data/beauty/data.txt or ../shared/data/beauty/data.txt (carry a copy if neither exists).
#
# Knobs (environment): PY, DATA (a data.txt, or `synthetic`), CONFIG (conf/beauty.yaml), RESULTS,
# PRESET (lightlm), EPOCHS (10), BATCH (256), LR (0.001), EVAL_BATCH (4096), VAL_EVERY (=EPOCHS:
# validate once, at the end), COMPILE (false), ACCEL (gpu), PRECISION (bf16-mixed), REF_USERS
# (200), TRAIN_PRESETS, TRAIN_VARIANTS, TRAIN_STEPS (50), SKIP (space-separated stage numbers to
# skip). Where $OUT names a folder (the device tool's), the summary, the log and the result files
# (8 files) are copied there at the end. The CPU smoke run of the test suite (a few seconds per
# stage; tests/workflow/test_gpu_check_script.py) is
#   DATA=synthetic CONFIG=conf/synthetic.yaml PRESET=tiny EPOCHS=1 ACCEL=cpu PRECISION=32-true \
#   SKIP=1 TRAIN_PRESETS=tiny TRAIN_VARIANTS=eager TRAIN_STEPS=2 bash benchmarks/gpu_check.sh
set -uo pipefail  # no -e: a failing stage is reported and the next one still runs
cd "$(dirname "$0")/.."

PY=${PY:-}
if [[ -z "$PY" ]]; then
    if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
        PY=.venv/bin/python
    else
        PY=python3
    fi
fi
RESULTS=${RESULTS:-benchmarks/results/gpu}
CONFIG=${CONFIG:-conf/beauty.yaml}
PRESET=${PRESET:-lightlm}
EPOCHS=${EPOCHS:-10}
BATCH=${BATCH:-256}
LR=${LR:-0.001}
EVAL_BATCH=${EVAL_BATCH:-4096}
VAL_EVERY=${VAL_EVERY:-$EPOCHS}
COMPILE=${COMPILE:-false}
ACCEL=${ACCEL:-gpu}
PRECISION=${PRECISION:-bf16-mixed}
REF_USERS=${REF_USERS:-200}
TRAIN_PRESETS=${TRAIN_PRESETS:-tiny,small,lightlm,t5-small}
TRAIN_VARIANTS=${TRAIN_VARIANTS:-eager,bf16}
TRAIN_STEPS=${TRAIN_STEPS:-50}
SKIP=" ${SKIP:-} "
DEVICE=$([[ "$ACCEL" == gpu ]] && echo cuda || echo cpu)
DECODE_PRECISION=$([[ "$PRECISION" == bf16* ]] && echo bf16 || echo fp32)

if [[ -z "${DATA:-}" ]]; then
    for candidate in shared/data/beauty/data.txt ../shared/data/beauty/data.txt; do
        [[ -f "$candidate" ]] && DATA=$candidate && break
    done
fi
if [[ -z "${DATA:-}" || ( "$DATA" != synthetic && ! -f "$DATA" ) ]]; then
    echo "gpu_check: no Beauty data.txt found (set DATA=path, or carry shared/data/beauty/data.txt)" >&2
    exit 2
fi

export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export WANDB_MODE=disabled
mkdir -p "$RESULTS"
LOG="$RESULTS/gpu_check.log"
: >"$LOG"
say() { echo "$@" | tee -a "$LOG"; }
stage() {  # stage NUMBER NAME SECONDS COMMAND...: runs unless skipped, logs, records status
    local n=$1 name=$2 limit=$3
    shift 3
    if [[ "$SKIP" == *" $n "* ]]; then
        say "== stage $n: $name: skipped"
        return
    fi
    say "== stage $n: $name (limit ${limit}s): $*"
    local start=$SECONDS
    timeout "$limit" "$@" 2>&1 | tee "$RESULTS/stage$n.log" | tee -a "$LOG"
    local rc=${PIPESTATUS[0]}
    say "== stage $n: $name: exit $rc after $((SECONDS - start)) s"
    echo "$rc $((SECONDS - start))" >"$RESULTS/stage$n.status"
}

say "gpu_check: $(date -u +%FT%TZ) python=$PY data=$DATA preset=$PRESET epochs=$EPOCHS batch=$BATCH"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee -a "$LOG"
if [[ -d .gpu_wheels ]]; then
    "$PY" -m pip install --no-index --find-links .gpu_wheels .gpu_wheels/*.whl 2>&1 | tail -2 | tee -a "$LOG"
fi
"$PY" - <<'EOF' 2>&1 | tee -a "$LOG"
import importlib
import torch
print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}",
      f"({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "")
missing = [m for m in ("lightning", "jsonargparse", "docstring_parser", "yaml", "rich", "scipy", "sklearn")
           if importlib.util.find_spec(m) is None]
print("missing python packages:", ", ".join(missing) if missing else "none")
EOF
if [[ "$ACCEL" == gpu ]] && ! "$PY" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
    say "gpu_check: $PY has no torch with a CUDA device; set PY to a python that has (ACCEL=cpu for a dry run)"
    exit 2
fi

CLI=("$PY" -m lightlm.cli)
DATA_PATH=$([[ "$DATA" == synthetic ]] && echo null || echo "$DATA")  # null: the config's synthetic data
COMMON=(--config "$CONFIG" --data.path "$DATA_PATH" --model.preset "$PRESET"
        --trainer.accelerator "$ACCEL" --trainer.devices 1 --trainer.precision "$PRECISION"
        --data.eval_batch_size "$EVAL_BATCH" --trainer.logger false --trainer.enable_progress_bar false
        --trainer.callbacks+=lightlm.callbacks.timing.StageTimer --checkpoint.dirpath "$RESULTS/ckpt"
        --results.path "$RESULTS/{stage}_metrics.json")

stage 1 "pytest -m gpu" 180 "$PY" -m pytest -m gpu --gpu -q -p no:cacheprovider tests/lightlm/test_gpu.py \
    tests/workflow/test_speed_benchmarks.py
stage 2 "fit $EPOCHS epochs" 420 "${CLI[@]}" fit "${COMMON[@]}" --model.lr "$LR" --model.compile "$COMPILE" \
    --data.batch_size "$BATCH" --trainer.max_epochs "$EPOCHS" --trainer.check_val_every_n_epoch "$VAL_EVERY"
[[ -f "$RESULTS/timing.json" ]] && mv "$RESULTS/timing.json" "$RESULTS/fit_timing.json"
stage 3 "test all users" 180 "${CLI[@]}" test "${COMMON[@]}" --ckpt_path "$RESULTS/ckpt/best.ckpt"
[[ -f "$RESULTS/timing.json" ]] && mv "$RESULTS/timing.json" "$RESULTS/test_timing.json"
CKPT=()
[[ -f "$RESULTS/ckpt/best.ckpt" ]] && CKPT=(--ckpt "$RESULTS/ckpt/best.ckpt")
stage 4 "decode_speed fp32" 150 "$PY" benchmarks/decode_speed.py --data "$DATA" --preset "$PRESET" "${CKPT[@]}" \
    --device "$DEVICE" --precision fp32 --ref-users "$REF_USERS" --batch-size "$EVAL_BATCH" \
    --out "$RESULTS/decode_speed_fp32.json"
stage 5 "decode_speed $DECODE_PRECISION" 150 "$PY" benchmarks/decode_speed.py --data "$DATA" --preset "$PRESET" \
    "${CKPT[@]}" --device "$DEVICE" --precision "$DECODE_PRECISION" --ref-users "$REF_USERS" \
    --batch-size "$EVAL_BATCH" --profile --out "$RESULTS/decode_speed_$DECODE_PRECISION.json"
stage 6 "train_speed" 240 "$PY" benchmarks/train_speed.py --data "$DATA" --device "$DEVICE" --presets "$TRAIN_PRESETS" \
    --variants "$TRAIN_VARIANTS" --batch-size "$BATCH" --steps "$TRAIN_STEPS" --out "$RESULTS/train_speed.json"

"$PY" - "$RESULTS" "$EPOCHS" <<'EOF' 2>&1 | tee "$RESULTS/summary.txt" | tee -a "$LOG"
import json, sys
from pathlib import Path

out, epochs = Path(sys.argv[1]), int(sys.argv[2])
def load(name):
    path = out / name
    return json.loads(path.read_text()) if path.is_file() else None

print("=" * 72, "\ngpu_check summary")
for status in sorted(out.glob("stage*.status")):
    rc, seconds = status.read_text().split()
    print(f"  {status.stem}: exit {rc}, {seconds} s" + ("" if rc == "0" else "   <-- FAILED, see its log"))
fit, test, metrics = load("fit_timing.json"), load("test_timing.json"), load("test_metrics.json")
if fit:
    ok = "met" if fit["train_seconds"] <= 60 and fit["train_epochs"] == epochs else "MISSED"
    print(f"training: {fit['train_epochs']} epochs in {fit['train_seconds']:.1f} s "
          f"({fit['train_samples_per_s']:,.0f} samples/s); goal <= 60 s for 10 epochs: {ok}")
    print(f"validation: {fit['validation_runs']} runs, {fit['validation_seconds']:.1f} s "
          f"({fit['validation_users_per_s']:,.0f} users/s)")
if test:
    ok = "met" if test["test_users_per_s"] >= 5000 else "MISSED"
    print(f"test: {test['test_users']:,} users in {test['test_seconds']:.2f} s "
          f"({test['test_users_per_s']:,.0f} users/s); goal >= 5,000 users/s: {ok}")
if metrics:
    print("test metrics:", ", ".join(f"{k.split('/', 1)[1]} {v:.4f}" for k, v in metrics["metrics"].items()
                                     if "popularity" not in k))
for name in ("decode_speed_fp32.json", "decode_speed_bf16.json"):
    d = load(name)
    if d:
        print(f"{name[:-5]}: kit {d['kit_users_per_s']:,.0f} users/s, reference {d['ref_users_per_s']:,.0f} "
              f"users/s, {d['speedup']:.0f}x; constraint {d['kit_constraint_share']:.1%} of kit decode; "
              f"rows identical {d['check']['identical']}/{d['ref_users']}, mismatched {d['check']['mismatched']}; "
              f"{d['kit_gflops']:,.0f} GFLOP/s = {d['kit_peak_fraction']:.1%} of the matmul peak")
train = load("train_speed.json")
if train:
    for r in train["rows"]:
        print(f"train_speed {r['preset']:<9} {r['variant']:<13} {r['samples_per_s']:>9,.0f} samples/s "
              f"{r[next(k for k in r if k.startswith('vs_'))]:.2f}x, peak {r['peak_mb']:,.0f} MB, "
              f"{r['gflops']:,.0f} GFLOP/s = {r['peak_fraction']:.1%} of the matmul peak")
EOF

if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
    for f in summary.txt gpu_check.log fit_timing.json test_timing.json test_metrics.json \
        decode_speed_fp32.json "decode_speed_$DECODE_PRECISION.json" train_speed.json; do
        [[ -f "$RESULTS/$f" ]] && cp "$RESULTS/$f" "$OUT/"
    done
fi
