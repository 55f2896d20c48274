"""`lightlm stats --config ...`: the dataset statistics a paper reports, and the split as files.

It reads the same config files and `--data.*` options as `fit`, so the numbers are those of the
data a model is trained on: after the reader's filters (k-core, minimum rating) and after the
split dropped users too short to split. `--export DIR` writes `train.csv`, `valid.csv` and
`test.csv` (columns `user,item,position`, original ids, `position` 0-based in the user's whole
chronological sequence), so another toolkit can be run on exactly this split.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import polars as pl
from rich import get_console
from rich.table import Table

from datamodules.split import LeaveOneOut, leave_one_out
from kitbase.errors import ConfigError
from lightlm.cli.app import LightLMCLI

SPLIT_FILES = ("train.csv", "valid.csv", "test.csv")


def dataset_statistics(split: LeaveOneOut, users_read: int) -> dict:
    """Counts of the split data; `users_read` is the user count before the split's own filter."""
    data = split.data
    lengths = data.sequences.lengths
    n = int(lengths.sum())
    return {
        "source": data.source,
        "users": data.n_users,
        "items": data.n_items,
        "interactions": n,
        "density": n / max(1, data.n_users * data.n_items),
        "sequence_length": {
            "mean": float(lengths.mean()),
            "median": float(np.median(lengths)),
            "min": int(lengths.min()),
            "max": int(lengths.max()),
        },
        "users_dropped_by_split": users_read - data.n_users,
        "train_interactions": len(split.train),
        "valid_interactions": len(split.valid_target),
        "test_interactions": len(split.test_target),
    }


def split_frames(split: LeaveOneOut) -> dict[str, pl.DataFrame]:
    """train/valid/test rows (user, item, position) in original ids, users in index order."""
    data, seqs = split.data, split.data.sequences
    users = seqs.users()
    position = np.arange(len(seqs.items)) - seqs.offsets[users]
    last = seqs.offsets[1:] - 1
    part = np.zeros(len(seqs.items), dtype=np.int8)  # 0 train, 1 valid, 2 test
    part[last - 1], part[last] = 1, 2
    frames = {}
    for code, name in enumerate(SPLIT_FILES):
        keep = part == code
        frames[name] = pl.DataFrame(
            {
                "user": data.user_ids[users[keep]],
                "item": data.item_ids[seqs.items[keep]],
                "position": position[keep],
            }
        )
    return frames


def export_split(split: LeaveOneOut, directory: Path) -> None:
    """Write the three files; all are written to temporary names first, then renamed, so an
    interrupted export leaves either the previous files or the new ones, never a mix of halves."""
    directory.mkdir(parents=True, exist_ok=True)
    tmps = []
    try:
        for name, frame in split_frames(split).items():
            tmp = directory / f".{name}.{os.getpid()}.tmp"
            tmps.append((tmp, directory / name))
            frame.write_csv(tmp)
        for tmp, final in tmps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in tmps:
            tmp.unlink(missing_ok=True)


class StatsCLI(LightLMCLI):
    """`lightlm stats`'s parser: the options of `fit` and the command's own, all in `--help`."""

    def add_arguments_to_parser(self, parser) -> None:
        super().add_arguments_to_parser(parser)
        parser.add_argument(
            "--export", nargs="?", const="", default=None, metavar="DIR",
            help=f"also write the split to {', '.join(SPLIT_FILES)} in this directory",
        )
        parser.add_argument(
            "--json", nargs="?", const="", default=None, metavar="PATH",
            help="also write the statistics to this JSON file",
        )

    def before_instantiate_classes(self) -> None:
        super().before_instantiate_classes()
        for flag in ("export", "json"):
            if self.config[flag] == "":
                raise ConfigError(f"--{flag} needs a path")


def run_stats(args: list[str]) -> None:
    """Parse `args` like `lightlm fit`, read and split the data, print (and optionally save)."""
    cli = StatsCLI(
        run=False,
        args=[*args, "--trainer.logger", "false"],
        parser_kwargs={"prog": "lightlm stats", "description": __doc__.split("\n\n")[0]},
    )
    export, json_out = cli.config["export"], cli.config["json"]
    dm = cli.datamodule
    console = get_console()
    with console.status("reading and splitting the data..."):
        data = dm.read()
        split = leave_one_out(data)
    stats = dataset_statistics(split, data.n_users)
    _print(console, stats)
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(stats, indent=2))
    if export:
        export_split(split, Path(export))
        console.print(f"wrote {', '.join(SPLIT_FILES)} to {export}")


def _print(console, stats: dict) -> None:
    s = stats["sequence_length"]
    table = Table(title=f"{stats['source']}, after filters and split", show_header=False)
    table.add_column("statistic", style="bold")
    table.add_column("value", justify="right")
    table.add_row("users", f"{stats['users']:,}")
    table.add_row("items", f"{stats['items']:,}")
    table.add_row("interactions", f"{stats['interactions']:,}")
    table.add_row("density", f"{stats['density']:.4%}")
    table.add_row("sequence length mean / median", f"{s['mean']:.2f} / {s['median']:g}")
    table.add_row("sequence length min / max", f"{s['min']} / {s['max']}")
    parts = (stats[f"{p}_interactions"] for p in ("train", "valid", "test"))
    table.add_row("train / valid / test", " / ".join(f"{n:,}" for n in parts))
    table.add_row("users dropped (< 3 interactions)", f"{stats['users_dropped_by_split']:,}")
    console.print(table)
