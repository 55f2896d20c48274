"""The study loop: run the pending cells of a preset, storing and reporting after each one.

After every cell the results CSV, results.md and the plot are rewritten, so an interrupted study
(Ctrl-C, a killed job) keeps every finished cell and resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict
from pathlib import Path

import rich
import torch
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lightlm.experiments import cells as cell_runs
from lightlm.experiments.presets import Cell, Preset
from lightlm.experiments.report import print_summary, write_reports
from lightlm.experiments.store import (
    pending,
    popularity_row,
    put_row,
    read_rows,
    row_key,
    same_settings,
    write_rows,
)


def dataset_name(data: str) -> str:
    """The name results are filed under: the data file's folder (beauty/data.txt -> beauty)."""
    return "synthetic" if data == "synthetic" else Path(data).parent.name or Path(data).stem


def hardware(accelerator: str) -> str:
    """The machine the figures were measured on, for results.md."""
    if accelerator != "cpu" and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPU cores ({cpu}), torch threads {torch.get_num_threads()}"


def run_study(
    name: str, preset: Preset, settings: cell_runs.RunSettings, cells: list[Cell], *,
    fresh: bool = False, max_cells: int | None = None, test_saved: bool = False,
) -> int:
    """Run the `cells` of preset `name` not yet in `settings.out`; the process exit status.

    `fresh` discards earlier results; `max_cells` stops after that many cells (resume later);
    `test_saved` tests the cells kept by an earlier `validate_only` run instead of training.
    Returns 130 after Ctrl-C (the finished cells are stored), else 0. Bad settings (a missing
    data file, results made with other settings) end with SystemExit before any training.
    """
    if settings.validate_only and test_saved:
        raise SystemExit("ablation: --validate-only trains without testing, --test-saved tests without "
                         "training; use one, then the other")
    if settings.data != "synthetic" and not Path(settings.data).is_file():
        raise SystemExit(f"ablation: no data file at {settings.data}")
    dataset, out = dataset_name(settings.data), settings.out
    out.mkdir(parents=True, exist_ok=True)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "dataset": dataset, "data": str(settings.data), "preset": name,
        "description": preset.description, "config": asdict(preset), "epochs_override": settings.epochs,
        "hardware": hardware(settings.accelerator), "validate_only": settings.validate_only or test_saved,
    }
    results, meta_path = out / "results.csv", out / "run.json"
    if fresh:
        results.unlink(missing_ok=True)
    rows = read_rows(results)
    if results.is_file() and meta_path.is_file():
        before = json.loads(meta_path.read_text())
        if not same_settings(before, meta, rows):
            raise SystemExit(f"ablation: {results} was made with other settings; use --fresh or other --out")
    meta_path.write_text(json.dumps(meta, indent=2, default=str))

    todo = pending(cells, rows, test_saved)
    # The global console: the datamodule's own spinner then sees this live display and stays off.
    console = rich.get_console()
    skipped = len(cells) - len(todo)
    console.print(f"[bold]ablation[/] {dataset}, preset {name}: {len(cells)} cells, "
                  f"{skipped} already in {results}, {len(todo)} to run")
    ran = 0
    started = time.perf_counter()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        overall = progress.add_task("cells", total=len(cells), completed=skipped)
        current = progress.add_task("", total=None)
        try:
            for cell in todo:
                if max_cells is not None and ran >= max_cells:
                    break
                if not console.is_terminal:  # a log file gets a line per cell instead of the display
                    console.print(f"[{skipped + ran + 1}/{len(cells)}] {cell.model} {cell.indexer}/"
                                  f"{cell.shape}/seed {cell.seed} ...")
                if test_saved:
                    row = cell_runs.test_saved(cell, next(r for r in rows if row_key(r) == cell.key),
                                               settings, preset, progress, current)
                else:
                    row = cell_runs.run_cell(cell, settings, preset, progress, current)
                popularity = row.pop("_popularity")
                if popularity and not any(r["model"] == "popularity" for r in rows):
                    rows.insert(0, popularity_row(popularity))
                put_row(rows, row)
                write_rows(results, rows)
                write_reports(out, rows, meta)
                ran += 1
                progress.update(overall, advance=1)
                prefix = "val_" if settings.validate_only else ""
                progress.console.print(
                    f"  {cell.indexer}/{cell.shape}/seed {cell.seed}: {prefix or 'test '}ndcg@10 "
                    f"{row[f'{prefix}ndcg@10']:.4f} recall@10 {row[f'{prefix}recall@10']:.4f} "
                    f"(best epoch {row['best_epoch']}, "
                    f"{float(row['train_seconds']) + row['test_seconds']:.0f} s)"
                )
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted[/]: the {ran} cell(s) finished in this run are in {results}; "
                          "rerun the same command to resume")
            return 130
    summary = write_reports(out, rows, meta) if rows else []
    left = len(todo) - ran
    elapsed = time.perf_counter() - started
    console.print(f"ran {ran} cell(s) in {elapsed / 60:.1f} min; {left} left"
                  + ("; rerun to continue" if left else ""))
    if summary:
        print_summary(console, summary)
        console.print(f"wrote {results}, {out / 'results.md'}" + (
            f", {out / 'ablation.png'}" if (out / "ablation.png").is_file() else ""))
    return 0
