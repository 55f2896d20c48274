"""The `lightlm` command: `fit|validate|test|predict` (LightningCLI, `lightlm.cli.app`), `index`
(`lightlm.cli.index`), `stats` (`lightlm.cli.stats`) and `compare` (`lightlm.cli.compare`).

`main` is the process's entry point, so process settings are made here, once, before torch loads.
User errors (`LightLMError`: bad data, impossible options, mismatched checkpoints) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys


def configure_process() -> None:
    """OpenMP worker threads spin while they wait by default. On a small CPU machine any other
    thread (the rich progress bar's refresh thread, W&B's writer, a DataLoader) then steals their
    core and every op waits out a scheduler slice, several times slower on 2 cores. Passive
    waiting costs nothing measurable. Read when torch loads, so it must be set before; the
    user's own value wins."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# glibc's mallopt parameters (malloc.h) and the environment variables that set them at start-up.
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
MALLOC_ENV = ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")


def keep_freed_heap() -> bool:
    """Let training reuse the memory it frees instead of page-faulting it back in every step.

    glibc serves every allocation above its mmap threshold (32 MiB at most, so a batch's logits
    over the catalogue always qualify) with a fresh mapping and unmaps it on free; the next step's
    allocation of the same size then takes one page fault per 4 KiB page, in the kernel, on the
    training thread. With every block on the heap (`M_MMAP_MAX` 0) and freed heap kept rather
    than trimmed (`M_TRIM_THRESHOLD` at its largest), later steps reuse the same pages. The
    price is memory: freed heap stays with the process until it exits, and blocks of a
    gigabyte and more (SASRec-CE's logits over a million items) fragment it further (README,
    "Catalogue scale"). glibc only; either variable in the environment (the user's own malloc settings,
    e.g. `MALLOC_MMAP_MAX_=65536`, glibc's default) leaves malloc as it is.
    Returns whether the settings were applied."""
    if sys.platform != "linux" or any(v in os.environ for v in MALLOC_ENV):
        return False
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1))


def main(args: list[str] | None = None) -> None:
    configure_process()
    # Imported after `configure_process`, which must run before torch loads (these load it).
    from kitbase.errors import user_error
    from lightlm.cli.app import LightLMCLI, configure_wandb_env
    from lightlm.cli.compare import run_compare
    from lightlm.cli.index import run_index
    from lightlm.cli.stats import run_stats

    configure_wandb_env()
    argv = sys.argv[1:] if args is None else args
    try:
        if argv[:1] == ["index"]:
            run_index(argv[1:])
        elif argv[:1] == ["stats"]:
            run_stats(argv[1:])
        elif argv[:1] == ["compare"]:
            run_compare(argv[1:])
        else:
            keep_freed_heap()  # training and evaluation loops; `index` keeps glibc's defaults
            LightLMCLI(args=args)
    except Exception as e:
        # jsonargparse wraps errors raised in a constructor (e.g. a negative --model.lr) in its
        # own ValueError; the user error is then its cause.
        error = user_error(e)
        if error is None:
            raise
        print(f"lightlm: error: {error}", file=sys.stderr)
        sys.exit(2)
