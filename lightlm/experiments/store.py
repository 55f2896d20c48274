"""The resumable results store: one CSV row per finished cell, rewritten atomically.

A study can run for hours on a shared machine; an interruption must cost at most the cell it was
in. So every finished cell rewrites the whole file under a temporary name and renames it over
the old one (never half a CSV on disk), a rerun skips the cells already in the file, and a rerun
with other settings is refused instead of mixing two studies in one table.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from lightlm.experiments.presets import Cell
from lightlm.metrics import METRIC_NAMES as METRICS

COLUMNS = [
    "model", "indexer", "shape", "seed", *METRICS, "best_epoch", "val_ndcg@10", "val_recall@10", "params",
    "index_seconds", "train_seconds", "test_seconds", "cpu_seconds",
]
# Preset fields that only SASRec cells depend on.
SASREC_SETTINGS = ("sasrec", "sasrec_epochs", "sasrec_history")


def read_rows(path: Path) -> list[dict]:
    """The rows of results.csv as strings (a missing file: no rows)."""
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict]) -> None:
    """Whole file to a temporary name, then rename: an interruption never leaves half a CSV."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def row_key(r: dict) -> tuple[str, str, str, str]:
    """A results row's cell, as `Cell.key` (seeds are strings in the CSV)."""
    return (r["model"], r["indexer"], r["shape"], str(r["seed"]))


def popularity_row(popularity: dict) -> dict:
    """The popularity baseline's row: one per study, since every cell shares the split."""
    return {"model": "popularity", "indexer": "-", "shape": "-", "seed": "-", **popularity}


def pending(cells: list[Cell], rows: list[dict], test_saved: bool = False) -> list[Cell]:
    """The cells still to run, in order.

    Normally those without a row. With `test_saved`, only the cells validated but not yet tested
    (a row with an empty ndcg@10): testing what validation chose, nothing else.
    """
    if test_saved:
        untested = {row_key(r) for r in rows if r["ndcg@10"] == ""}
        return [c for c in cells if c.key in untested]
    done = {row_key(r) for r in rows}
    return [c for c in cells if c.key not in done]


def put_row(rows: list[dict], row: dict) -> None:
    """Record a finished cell in `rows`: a tested `--validate-only` row keeps its place."""
    slot = [i for i, r in enumerate(rows) if row_key(r) == row_key(row)]
    if slot:
        rows[slot[0]] = row
    else:
        rows.append(row)


def same_settings(before: dict, now: dict, rows: list[dict]) -> bool:
    """Whether the finished cells in `rows`, made under `before`, still hold under `now`.

    Everything must match except that a preset may have gained shapes (a variant added to a
    study), a shape that was already there must be unchanged, and SASRec's settings matter only
    once a SASRec cell has finished.
    """
    now = json.loads(json.dumps(now, default=str))  # tuples -> lists, as in the stored JSON
    keys = ("data", "preset", "epochs_override")
    if (any(before.get(k) != now[k] for k in keys)
            or bool(before.get("validate_only")) != now["validate_only"]):
        return False
    old_cfg, new_cfg = dict(before.get("config", {})), dict(now["config"])
    if not any(r["model"] == "sasrec" for r in rows):
        for k in SASREC_SETTINGS:
            old_cfg.pop(k, None), new_cfg.pop(k, None)
    old_shapes, new_shapes = old_cfg.pop("shapes", {}), new_cfg.pop("shapes", {})
    return old_cfg == new_cfg and all(new_shapes.get(k) == v for k, v in old_shapes.items())
