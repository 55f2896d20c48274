"""usage: prof_shapes.py: the lightlm preset's training step (as prof_train.py) profiled with shapes: per
matmul shape its calls, time and achieved GFLOP/s, against a 2048 x 2048 fp32 matmul timed in the same
process (torch's default threads). Shows how fast the model's matmuls themselves run, before any non-
matmul work."""

import sys
from collections import defaultdict
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).parent))  # lightlm_step.py
from lightlm_step import lightlm_trainee, synthetic_batches  # noqa: E402

from lightlm.networks.flops import matmul_peak_gflops  # noqa: E402

dm, batches = synthetic_batches(9)
t = lightlm_trainee(dm)
t.steps(batches[:3])
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    t.steps(batches[3:])
peak = matmul_peak_gflops(torch.device("cpu"), torch.float32)
total = sum(e.self_cpu_time_total for e in prof.key_averages())
rows = defaultdict(lambda: [0, 0.0, 0.0])
for e in prof.key_averages(group_by_input_shape=True):
    if e.key not in ("aten::mm", "aten::bmm") or not e.input_shapes or len(e.input_shapes) < 2:
        continue
    a, b = e.input_shapes[0], e.input_shapes[1]
    flops = 2 * (a[0] if e.key == "aten::bmm" else 1) * a[-2] * a[-1] * b[-1] * e.count
    r = rows[(e.key, tuple(a), tuple(b))]
    r[0] += e.count
    r[1] += e.self_cpu_time_total / 1e6
    r[2] += flops
mm_s = sum(r[1] for r in rows.values())
mm_flops = sum(r[2] for r in rows.values())
print(f"threads {torch.get_num_threads()}, 2048^2 fp32 matmul peak {peak:.1f} GFLOP/s")
inside, whole = mm_flops / mm_s / 1e9, mm_flops / (total / 1e6) / 1e9
print(f"step total {total / 1e6:.3f} s over 6 steps; mm+bmm {mm_s:.3f} s ({mm_s / (total / 1e6):.0%}), "
      f"{inside:.1f} GFLOP/s inside the matmuls = {inside / peak:.0%} of the peak; "
      f"whole step {whole:.1f} GFLOP/s = {whole / peak:.0%}")
print(f"{'op':9s} {'A':>18s} {'B':>18s} {'calls':>6s} {'s':>7s} {'share':>6s} {'GFLOP/s':>8s} "
      f"{'of peak':>7s}")
for (op, a, b), (n, s, f) in sorted(rows.items(), key=lambda kv: -kv[1][1])[:20]:
    print(f"{op[6:]:9s} {str(a):>18s} {str(b):>18s} {n:6d} {s:7.3f} {s / mm_s:6.1%} {f / s / 1e9:8.1f} "
          f"{f / s / 1e9 / peak:7.0%}")
