"""How close a model's arithmetic runs to the machine's limit: counted FLOPs against a measured peak.

The FLOPs of a step are counted as torch dispatches them (`FlopCounterMode`: matmuls, batched
matmuls and attention, forward and backward; elementwise work is not counted), so they follow the
model's real shapes, including the narrow feed-forward and per-step output layers. The peak is a
large fp32 (or bf16) matmul timed in the same process with the same threads, so the fraction
compares like with like on a machine shared with other jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch.utils.flop_counter import FlopCounterMode


def counted_flops(fn: Callable[[], object]) -> int:
    """FLOPs of the matmul-like operators `fn()` runs (forward, and backward if it calls it)."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def matmul_peak_gflops(
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    n: int | None = None,
    reps: int = 5,
) -> float:
    """GFLOP/s of the fastest of `reps` (n, n) @ (n, n) matmuls: this process's practical peak.

    n defaults to 2048 on a CPU (a fraction of a second per matmul on one core) and 8192 on a GPU."""
    device = torch.device(device)
    n = n or (8192 if device.type == "cuda" else 2048)
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    best = float("inf")
    for i in range(reps + 1):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        a @ b
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i:  # the first is a warm-up
            best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9
