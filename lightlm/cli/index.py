"""`lightlm index --config ...`: build (or load) the configured index and print its statistics.

It reads the same config files and `--data.*` options as `fit`, so the index it reports is
exactly the one training will use, and it leaves that index in the cache for training.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
import tracemalloc
from pathlib import Path

from rich import get_console
from rich.console import Console
from rich.table import Table

from datamodules.datamodule import RecDataModule
from datamodules.progress import reporting_to
from datamodules.split import leave_one_out
from indexers.stats import index_statistics
from kitbase.errors import ConfigError
from kitbase.files import write_atomic
from lightlm.callbacks.outputs import check_output_file
from lightlm.cli.app import LightLMCLI


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class IndexCLI(LightLMCLI):
    """`lightlm index`'s parser: the options of `fit` and the command's own, all in `--help`."""

    def add_arguments_to_parser(self, parser) -> None:
        super().add_arguments_to_parser(parser)
        parser.add_argument(
            "--rebuild", action="store_true", help="fit the index again instead of loading a cached one"
        )
        parser.add_argument(
            "--json", nargs="?", const="", default=None, metavar="PATH",
            help="also write the statistics to this JSON file",
        )

    def before_instantiate_classes(self) -> None:
        super().before_instantiate_classes()
        if self.config["json"] == "":
            raise ConfigError("--json needs a PATH for the statistics")
        if self.config["json"] is not None:  # now, not after the indexing
            check_output_file(self.json_path, "--json")

    @property
    def json_path(self) -> Path | None:
        return None if self.config["json"] is None else Path(os.path.expanduser(self.config["json"]))


def run_index(args: list[str]) -> None:
    """Parse `args` like `lightlm fit` would, build the index, print statistics.

    `--rebuild` ignores a cached index; `--json PATH` also writes the statistics as JSON.
    """
    cli = IndexCLI(
        run=False,
        args=[*args, "--trainer.logger", "false"],
        parser_kwargs={"prog": "lightlm index", "description": __doc__.split("\n\n")[0]},
    )
    rebuild, json_out = cli.config["rebuild"], cli.json_path
    dm: RecDataModule = cli.datamodule
    console = get_console()  # its status lines listen to the steps: the datamodule shows no spinner
    with console.status("reading and splitting the data..."):
        split = leave_one_out(dm.read())
    cache = dm.index_cache_path(split.data.fingerprint())
    if rebuild and cache.is_file():
        cache.unlink()
    cached = cache.is_file()
    tracemalloc.start()
    start = time.perf_counter()
    what = f"{'loading' if cached else 'fitting'} the {dm.indexer.name} index"
    with console.status(f"{what}...") as line, reporting_to(lambda step: line.update(f"{what}: {step}...")):
        index = dm.build_index(split)
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stats = index_statistics(index, split.train)
    stats |= {
        "seconds": round(seconds, 3),
        "from_cache": cached,
        "traced_peak_mb": round(traced_peak / 2**20, 1),
        "process_peak_rss_mb": round(_peak_rss_mb(), 1),
        "cache_file": str(cache),
        "hash": index.content_hash(),
    }
    _print(console, stats, dm.indexer.config())
    if json_out:
        write_atomic(json_out, json.dumps(stats, indent=2).encode())


def _print(console: Console, stats: dict, config: dict) -> None:
    width = min(100, shutil.get_terminal_size().columns)
    table = Table(title=f"index: {stats['indexer']}", show_header=False, min_width=width)
    table.add_column("statistic", style="bold")
    table.add_column("value")
    table.add_row("config", ", ".join(f"{k}={v}" for k, v in config.items() if k != "name"))
    table.add_row("items / users", f"{stats['items']:,} / {stats['users']:,}")
    hist = ", ".join(f"{length} tokens: {n:,}" for length, n in stats["code_length_histogram"].items())
    table.add_row("item code lengths", hist)
    table.add_row("user code width", str(stats["user_code_width"]))
    for b in stats["branching"]:
        table.add_row(f"branching, level {b['level']}", f"mean {b['mean']:.1f}, max {b['max']}")
    table.add_row("items needing disambiguation", f"{stats['disambiguated_items']:,}")
    c = stats["coherence"]
    ratio = "n/a" if c["ratio"] is None else f"{c['ratio']:.2f}x"
    table.add_row(
        "collaborative coherence",
        f"{c['copurchase_share']:.3f} of co-purchased pairs share a first token vs "
        f"{c['random_share']:.3f} of random pairs ({ratio})",
    )
    source = "loaded from cache" if stats["from_cache"] else "fitted"
    table.add_row("time", f"{stats['seconds']:.2f} s ({source})")
    table.add_row("memory", f"{stats['traced_peak_mb']:.0f} MB traced peak while indexing, "
                  f"{stats['process_peak_rss_mb']:.0f} MB process peak RSS")
    table.add_row("cache", f"{stats['cache_file']} (hash {stats['hash']})")
    console.print(table)
