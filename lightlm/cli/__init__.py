"""The `lightlm` command: `fit|validate|test|predict` (LightningCLI, `lightlm.cli.app`), `index`
(`lightlm.cli.index`) and `stats` (`lightlm.cli.stats`).

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


def main(args: list[str] | None = None) -> None:
    configure_process()
    # Imported after `configure_process`, which must run before torch loads (these load it).
    from kitbase.errors import user_error
    from lightlm.cli.app import LightLMCLI, configure_wandb_env
    from lightlm.cli.index import run_index
    from lightlm.cli.stats import run_stats

    configure_wandb_env()
    argv = sys.argv[1:] if args is None else args
    try:
        if argv[:1] == ["index"]:
            run_index(argv[1:])
        elif argv[:1] == ["stats"]:
            run_stats(argv[1:])
        else:
            LightLMCLI(args=args)
    except Exception as e:
        # jsonargparse wraps errors raised in a constructor (e.g. a negative --model.lr) in its
        # own ValueError; the user error is then its cause.
        error = user_error(e)
        if error is None:
            raise
        print(f"lightlm: error: {error}", file=sys.stderr)
        sys.exit(2)
