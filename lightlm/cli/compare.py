"""`lightlm compare --a A.csv [...] --b B.csv [...]`: is model B ahead of model A on these users, beyond
the noise of which users were sampled? (the paired bootstrap and t-test of `lightlm.comparison`).

The files are the per-user ranks that `lightlm validate|test --results.per_user PATH` writes; give
one per seed. Prints one row per metric and, with `--out`, writes them to JSON. With `--by
item_train_count` (or `history_len`) it also compares the two within quantile groups of the users
(`--bins`, 4 by default): whether B's lead or shortfall sits on the popular held-out items or the
rare ones, on the short histories or the long ones.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich import get_console
from rich.table import Table

from kitbase.files import write_atomic
from lightlm.callbacks.outputs import check_output_file
from lightlm.comparison import STRATA_COLUMNS, compare

DEFAULT_METRICS = ("ndcg@10", "recall@10", "ndcg@20", "recall@20")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lightlm compare", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--a", nargs="+", required=True, metavar="FILE", help="model A's per-user files (one per seed)"
    )
    p.add_argument(
        "--b", nargs="+", required=True, metavar="FILE", help="model B's per-user files (one per seed)"
    )
    p.add_argument("--names", nargs=2, default=("A", "B"), metavar=("A", "B"), help="the two models' names")
    p.add_argument("--metrics", nargs="+", default=list(DEFAULT_METRICS), help="recall@k, ndcg@k or mrr@k")
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples of the users")
    p.add_argument("--confidence", type=float, default=0.95, help="the interval's coverage")
    p.add_argument("--seed", type=int, default=0, help="the bootstrap's random seed")
    p.add_argument(
        "--by", choices=STRATA_COLUMNS, default=None,
        help="also compare within groups of users cut by this column of the files",
    )  # fmt: skip
    p.add_argument("--bins", type=int, default=4, help="with --by: how many quantile groups")
    p.add_argument("--out", default=None, metavar="PATH", help="also write the rows to this JSON file")
    return p


def run_compare(args: list[str]) -> None:
    opts = parser().parse_args(args)
    if opts.out is not None:
        check_output_file(opts.out, "--out")
    rows, by_rows = compare(
        opts.a, opts.b, opts.metrics, opts.resamples, opts.confidence, opts.seed, opts.by, opts.bins
    )
    name_a, name_b = opts.names
    print_rows(rows, name_a, name_b, len(opts.a), len(opts.b))
    if opts.by is not None:
        print_rows(by_rows, name_a, name_b, len(opts.a), len(opts.b), by=opts.by)
    if opts.out is not None:
        record = {
            "a": {"name": name_a, "files": opts.a},
            "b": {"name": name_b, "files": opts.b},
            "resamples": opts.resamples,
            "seed": opts.seed,
            "rows": rows,
        }
        if opts.by is not None:
            record["strata"] = by_rows
        write_atomic(Path(opts.out), json.dumps(record, indent=2).encode())


def print_rows(
    rows: list[dict], name_a: str, name_b: str, files_a: int, files_b: int, by: str | None = None
) -> None:
    """One row per metric (and stratum, with `by`); the headers say A and B (named in the title) so
    the table stays narrow."""
    users = sum(r["users"] for r in rows if r["metric"] == rows[0]["metric"])
    within = f" within groups by {by}" if by else ""
    table = Table(
        title=f"B = {name_b} ({files_b} file(s)) against A = {name_a} ({files_a}), paired over "
        f"{users:,} users{within}; p: paired t-test; seeds averaged per user"
    )
    for column in ("metric", *((by, "users") if by else ()), "A", "B", "B - A",
                   f"{rows[0]['confidence']:.0%} CI", "B / A", "p", "users B > A", "A > B"):  # fmt: skip
        table.add_column(column, justify="right")
    for r in rows:
        group = (r["stratum"], f"{r['users']:,}") if by else ()
        table.add_row(
            r["metric"], *group, f"{r['a']:.4f}", f"{r['b']:.4f}", f"{r['difference']:+.4f}",
            f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]", f"{r['b'] / r['a']:.3f}x" if r["a"] else "-",
            f"{r['p_value']:.2g}", f"{r['b_better']:,}", f"{r['a_better']:,}",
        )  # fmt: skip
    console = get_console()
    console.width = max(console.width, 150 if by else 120)  # each interval stays on one line in a log or pipe
    console.print(table)
