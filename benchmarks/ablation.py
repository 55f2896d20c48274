"""Ablation: indexers x model shapes x seeds on one dataset, plus popularity (and SASRec), one split.

Every cell trains the generative model in this process with the Lightning Trainer (validation each
epoch, the best epoch by val/ndcg@10 kept), then tests that best epoch. The popularity baseline
comes from the same test loop (`test/popularity/*`), and SASRec, where the preset configures it, runs
on the same split with the sequential task. All cells see the same leave-one-out split; indexes
are cached on disk, so every indexer is fitted once.

Outputs in --out: results.csv (one row per finished cell, rewritten atomically after each cell),
results.md (mean +- std over seeds, the best value of each column in bold) and ablation.png.
An interrupted run resumes where it stopped: finished cells are skipped.

    python benchmarks/ablation.py --preset cpu-small                   # Beauty, 2 CPU cores
    python benchmarks/ablation.py --preset paper --data ../shared/data/toys/data.txt   # a GPU
    python benchmarks/ablation.py --preset smoke --data synthetic      # seconds, for tests
"""

from __future__ import annotations

import os

# OpenMP threads spin while they wait unless told not to, which starves other threads on a shared
# CPU; the setting counts only if it is made before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import logging
import sys
import warnings
from pathlib import Path

import torch

from lightlm.cli import keep_freed_heap
from lightlm.experiments.cells import RunSettings
from lightlm.experiments.presets import PRESETS, cells_for
from lightlm.experiments.runner import dataset_name, run_study

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beauty" / "data.txt"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    head, *rest = __doc__.split("\n\n")
    p = argparse.ArgumentParser(
        description=head, epilog="\n\n".join(rest), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", default=str(DEFAULT_DATA),
                   help="P5 data file, or `synthetic` for the embedded generator (default: Beauty)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu-small",
                   help="; ".join(f"{k}: {v.description}" for k, v in PRESETS.items()))
    p.add_argument("--indexers", nargs="+", help="indexer names (default: the preset's)")
    p.add_argument("--shapes", nargs="+", help="model shape names (default: the preset's)")
    p.add_argument("--seeds", nargs="+", type=int, help="training seeds (default: the preset's)")
    p.add_argument("--epochs", type=int, help="override the preset's epochs (all models)")
    p.add_argument("--models", nargs="+", choices=["generative", "sasrec"], default=["generative", "sasrec"],
                   help="which models to run (SASRec only where the preset configures it)")
    p.add_argument(
        "--out", type=Path, help="output folder (default: benchmarks/results/ablation-DATA-PRESET)"
    )
    p.add_argument("--cache-dir", type=Path, default=ROOT / ".lightlm_cache", help="index cache")
    p.add_argument("--fresh", action="store_true", help="discard earlier results in --out, do not resume")
    p.add_argument("--max-cells", type=int, help="stop after running this many cells (resume later)")
    p.add_argument("--accelerator", default="auto", help="Lightning accelerator (cpu, gpu, auto)")
    p.add_argument("--threads", type=int,
                   help="torch CPU threads (default: torch's choice); 1 is fastest on a CPU shared with "
                   "other jobs, where every multi-threaded op waits for its second thread's turn")
    p.add_argument("--validate-only", action="store_true",
                   help="train and pick the best epoch, but never read the test split: for choosing settings")
    p.add_argument("--test-saved", action="store_true",
                   help="test the --validate-only cells chosen by --shapes/--indexers/--seeds "
                   "from their kept best-epoch checkpoints (the test split read once, at the end)")
    p.add_argument("--limit-batches", type=float, default=None, help=argparse.SUPPRESS)  # debugging
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    preset = PRESETS[args.preset]
    keep_freed_heap()  # as `lightlm fit` does: cells train in this process
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
    logging.getLogger("lightning.fabric").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    warnings.filterwarnings("ignore", ".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", ".*callbacks used to create the checkpoint.*")  # --test-saved
    settings = RunSettings(
        data=args.data,
        out=args.out or ROOT / "benchmarks" / "results" / f"ablation-{dataset_name(args.data)}-{args.preset}",
        cache_dir=args.cache_dir, accelerator=args.accelerator, epochs=args.epochs,
        validate_only=args.validate_only, limit_batches=args.limit_batches,
    )
    cells = cells_for(preset, args.preset, args.indexers, args.shapes, args.seeds, tuple(args.models))
    return run_study(args.preset, preset, settings, cells, fresh=args.fresh, max_cells=args.max_cells,
                     test_saved=args.test_saved)


if __name__ == "__main__":
    sys.exit(main())
