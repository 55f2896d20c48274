"""Training speed per model preset: samples/s and peak memory, eager against compiled or bf16.

Every variant trains its own copy of the same initial weights on the same Beauty-shaped batches
(the direct task: one sample per training interaction, pre-tensorized), with the work of a
`lightlm fit` step: forward, cross-entropy, backward, AdamW (`lightlm.optimization`'s eps and weight decay).
Two differences, neither of which changes the arithmetic of a step: the benchmark also clips
gradients at norm 1.0, which `fit` does only when `--trainer.gradient_clip_val` is set, and it
keeps the learning rate constant, where `fit` warms it up linearly and then decays it linearly
(`OptimizerSettings.schedule`). Variants of one preset are
timed in turns (eager, compile, eager, compile, ...) so that machine load hits them alike; the
median of the repetitions is reported, with its ratio to the first variant.

Variants: `eager` (fp32), `compile` (`torch.compile` of the network's blocks, as `--model.compile true`),
`bf16` (autocast, as `--trainer.precision bf16-mixed`), `compile+bf16`, `unfused-adamw` (eager
fp32 with torch's for-loop AdamW, the kit's optimizer before the fused one; `lightlm.optimization`).

Each row also gives the achieved GFLOP/s of the model arithmetic (the matmul FLOPs of one
forward and backward, counted by `lightlm.networks.flops`, times steps per second) and its fraction of a
large matmul timed in the same process with the same threads (fp32, or bf16 for bf16 variants).

    python benchmarks/train_speed.py                                     # CPU: eager vs compile
    python benchmarks/train_speed.py --device cuda --variants eager,bf16,compile+bf16 --batch-size 64
"""

from __future__ import annotations

import os

# OpenMP threads spin while they wait unless told not to, which starves other threads on a shared
# CPU; the setting counts only if it is made before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import copy
import ctypes
import ctypes.util
import gc
import json
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import torch

from datamodules.datamodule import RecDataModule
from indexers.sequential import SequentialIndexer
from lightlm.generative import GenerativeRecommender
from lightlm.networks.flops import counted_flops, matmul_peak_gflops
from lightlm.optimization import OptimizerSettings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beauty" / "data.txt"
RESULTS = ROOT / "benchmarks" / "results"
VARIANTS = ("eager", "compile", "bf16", "compile+bf16", "unfused-adamw")
LIBC = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None


class PeakRSS:
    """Peak resident memory above the level at entry, sampled every 5 ms (CPU runs)."""

    def __init__(self) -> None:
        self.peak = 0

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096

    def __enter__(self) -> PeakRSS:
        self.base, self.peak, self.stop = self.rss(), 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, self.rss() - self.base)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.rss() - self.base)


class Trainee:
    """One variant: a model copy, its optimizer, and a `steps(batches)` training loop."""

    def __init__(self, rec: GenerativeRecommender, variant: str, device: torch.device, lr: float) -> None:
        self.rec = copy.deepcopy(rec).to(device).train()
        self.variant, self.device = variant, device
        if "compile" in variant:
            self.rec.model.compile_blocks()
        self.opt = OptimizerSettings(lr=lr).optimizer(self.rec.parameters(), fused=variant != "unfused-adamw")
        self.bf16 = "bf16" in variant

    def steps(self, batches: list[dict[str, torch.Tensor]]) -> float:
        for batch in batches:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
                loss = self.rec.model_step(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.rec.parameters(), 1.0)
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)
        return float(loss.detach())  # also waits for the device


def load(args) -> tuple[RecDataModule, str]:
    path = args.data if args.data != "synthetic" else None
    dm = RecDataModule(path=path, indexer=SequentialIndexer(base=100), cache_dir=args.cache_dir)
    dm.setup("fit")
    return dm, path or "synthetic"


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(DEFAULT_DATA), help="P5 data.txt, or 'synthetic'")
    p.add_argument("--presets", default="tiny,small,lightlm,t5-small", help="comma-separated model presets")
    p.add_argument("--variants", default="eager,compile", help=f"comma-separated, from {', '.join(VARIANTS)}")
    p.add_argument("--batch-size", type=int, default=256, help="training batch size")
    p.add_argument("--steps", type=int, default=20, help="timed optimizer steps per repetition")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (compilation happens here)")
    p.add_argument("--reps", type=int, default=3, help="timed repetitions, variants in turns")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--cache-dir", default=".lightlm_cache", help="where the fitted index is cached")
    p.add_argument("--peak-size", type=int, default=None,
                   help="n of the n x n matmul that measures the machine's peak (default: 2048 on a CPU, "
                        "8192 on a GPU; a CPU without native bf16 takes seconds per 2048 matmul in bf16)")
    p.add_argument("--out", default=None, help="JSON result file (default benchmarks/results/...)")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    variants = args.variants.split(",")
    if unknown := set(variants) - set(VARIANTS):
        p.error(f"unknown variants {sorted(unknown)}; choose from {VARIANTS}")
    if args.data != "synthetic" and not Path(args.data).is_file():
        p.error(f"--data: no file {args.data} (pass --data synthetic for the embedded synthetic data)")
    if args.peak_size is not None and args.peak_size < 1:
        p.error(f"--peak-size must be at least 1, got {args.peak_size}")

    dm, data = load(args)
    train = dm.dataset("fit")
    gen = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(len(train), generator=gen)
    need = (args.warmup + args.steps) * args.batch_size
    order = order.repeat(need // len(order) + 1)[:need]
    batches = [
        {k: v.to(device) for k, v in train.__getitems__(order[i : i + args.batch_size].tolist()).items()}
        for i in range(0, need, args.batch_size)
    ]
    warm, timed = batches[: args.warmup], batches[args.warmup :]
    print(
        f"train_speed: {data}, {len(train)} training samples, batch {args.batch_size}, {args.steps} steps x "
        f"{args.reps} reps, {device}, {torch.get_num_threads()} threads",
        flush=True,
    )

    rows = []
    for preset in args.presets.split(","):
        torch.manual_seed(args.seed)
        rec = GenerativeRecommender(preset=preset)
        rec.attach(dm.index, dm.split, dm.history_len)
        params = sum(p.numel() for p in rec.model.parameters())
        # Matmul FLOPs of one training step (forward and backward) of this shape and batch.
        counting = copy.deepcopy(rec).to(device).train()
        step_flops = counted_flops(lambda m=counting: m.model_step(timed[0]).backward())
        del counting
        peaks = {
            dtype: matmul_peak_gflops(device, dtype, n=args.peak_size)
            for dtype in {torch.bfloat16 if "bf16" in v else torch.float32 for v in variants}
        }
        # Peak memory of a variant: what its weights, gradients, optimizer state and one step's
        # activations take, measured while it is created and warmed up.
        trainees, setup_s, peak = {}, {}, {}
        for v in variants:
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats(device)
                base = torch.cuda.memory_allocated(device)
            elif LIBC is not None:
                LIBC.malloc_trim(0)  # hand freed heap back, so the next variant starts level
            start = time.perf_counter()
            with PeakRSS() as rss:
                trainees[v] = Trainee(rec, v, device, lr=OptimizerSettings.lr)
                trainees[v].steps(warm)
            setup_s[v] = time.perf_counter() - start
            peak[v] = torch.cuda.max_memory_allocated(device) - base if device.type == "cuda" else rss.peak
        times: dict[str, list[float]] = {v: [] for v in variants}
        cpu: dict[str, list[float]] = {v: [] for v in variants}
        losses: dict[str, float] = {}
        for _ in range(args.reps):
            for v in variants:
                start, cpu_start = time.perf_counter(), time.process_time()
                losses[v] = trainees[v].steps(timed)
                times[v].append(time.perf_counter() - start)
                cpu[v].append(time.process_time() - cpu_start)
        base = statistics.median(times[variants[0]])
        for v in variants:
            med = statistics.median(times[v])
            gflops = step_flops * args.steps / med / 1e9
            peak_gflops = peaks[torch.bfloat16 if "bf16" in v else torch.float32]
            rows.append(
                {
                    "preset": preset,
                    "variant": v,
                    "params": params,
                    "samples_per_s": args.steps * args.batch_size / med,
                    # CPU seconds of this process: robust to other processes on a shared machine
                    "cpu_ms_per_sample": 1e3 * statistics.median(cpu[v]) / (args.steps * args.batch_size),
                    "vs_" + variants[0]: base / med,
                    "peak_mb": peak[v] / 2**20,
                    "warmup_s": setup_s[v],
                    "final_loss": losses[v],
                    "gflop_per_step": step_flops / 1e9,
                    "gflops": gflops,
                    "matmul_peak_gflops": peak_gflops,
                    "peak_fraction": gflops / peak_gflops,
                }
            )
            r = rows[-1]
            print(
                f"{preset:<9} {v:<13} {params / 1e6:>6.1f}M {r['samples_per_s']:>10.0f} samples/s "
                f"{r['vs_' + variants[0]]:>5.2f}x  {r['cpu_ms_per_sample']:>7.3f} cpu ms/sample  "
                f"peak {r['peak_mb']:>7.0f} MB  warm-up {setup_s[v]:>6.1f} s  {gflops:>7.1f} GFLOP/s "
                f"= {r['peak_fraction']:>5.1%} of a {peak_gflops:.1f} GFLOP/s matmul",
                flush=True,
            )
        del trainees
    result = {
        "benchmark": "train_speed",
        "device": str(device),
        "threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "data": data,
        "batch_size": args.batch_size,
        "steps": args.steps,
        "reps": args.reps,
        "memory": "while a variant is built and warmed up: peak torch allocation (cuda) or RSS growth (cpu)",
        "rows": rows,
    }
    out = Path(args.out) if args.out else RESULTS / f"train_speed_{device.type}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
