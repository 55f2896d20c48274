"""`lightlm.cli.keep_freed_heap`: a training loop's large blocks are reused, not faulted back in."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="glibc malloc settings")

# A fresh process runs 50 "steps" that each allocate, touch and free three tensors above glibc's
# largest mmap threshold (like a batch's logits over a catalogue: 64, 21 and 9 MiB, about 24,000
# pages of 4 KiB), and prints whether the settings were applied and the minor page faults per step.
PROBE = textwrap.dedent(
    """
    import resource, torch
    from lightlm.cli import keep_freed_heap
    applied = keep_freed_heap()
    n = 16 * 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        x = torch.empty(n).fill_(1.0); y = torch.empty(n // 3).fill_(2.0); del x
        z = torch.empty(n // 7).fill_(3.0); del y, z
    print(applied, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 50)
    """
)


def _probe(**env: str) -> tuple[bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={**os.environ, **env}, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", int(out[1])


def test_later_steps_reuse_the_freed_pages():
    applied, faults = _probe()
    assert applied
    assert faults < 5_000  # most pages are still mapped from earlier steps


def test_the_users_own_malloc_settings_win():
    # glibc's default (65,536 mmaps) set by the user: the kit leaves malloc alone, and every
    # step faults in most of its pages again.
    applied, faults = _probe(MALLOC_MMAP_MAX_="65536")
    assert not applied
    assert faults > 15_000
