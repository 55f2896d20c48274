"""usage: dropout_share.py: seconds per training step of the lightlm preset (the train_speed.py step,
synthetic data, batch 256, torch's default threads) with its dropout (0.1) against the same network
without dropout, in turns, 3 repetitions of 5 steps: how much of a CPU step dropout's mask generation
and scaling take."""

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))  # lightlm_step.py
from lightlm_step import lightlm_trainee, synthetic_batches  # noqa: E402

dm, batches = synthetic_batches(8)
trainees = {}
for name, dropout in (("dropout 0.1", None), ("dropout 0", 0.0)):
    trainees[name] = lightlm_trainee(dm, dropout)
    trainees[name].steps(batches[:3])
times = {k: [] for k in trainees}
for _ in range(3):
    for k, t in trainees.items():
        start = time.perf_counter()
        t.steps(batches[3:])
        times[k].append((time.perf_counter() - start) / 5)
med = {k: statistics.median(v) for k, v in times.items()}
print(f"threads {torch.get_num_threads()}; s per step: " + ", ".join(f"{k} {v:.3f}" for k, v in med.items())
      + f"; without dropout {med['dropout 0.1'] / med['dropout 0']:.2f}x faster")
