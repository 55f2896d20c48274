"""usage: prof_train.py: where a training step of the lightlm preset spends its time on this CPU
(torch.profiler over 6 steps after 3 warm-up steps; torch's default threads), the step of
benchmarks/train_speed.py (lightlm_step.py)."""

import sys
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).parent))  # lightlm_step.py
from lightlm_step import lightlm_trainee, synthetic_batches  # noqa: E402

dm, batches = synthetic_batches(9)
t = lightlm_trainee(dm)
t.steps(batches[:3])
with profile(activities=[ProfilerActivity.CPU]) as prof:
    t.steps(batches[3:])
print(f"threads {torch.get_num_threads()}")
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
