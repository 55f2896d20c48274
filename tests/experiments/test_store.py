"""The results store: a rerun skips finished cells, and a failed rewrite leaves the old CSV whole."""

from __future__ import annotations

import pytest

from lightlm.experiments.presets import Cell
from lightlm.experiments.store import COLUMNS, pending, put_row, read_rows, row_key, write_rows

CELLS = [Cell("generative", "sci", shape, seed) for seed in (0, 1) for shape in ("narrow", "wide")]


def _row(cell: Cell, ndcg: str) -> dict:
    return {"model": cell.model, "indexer": cell.indexer, "shape": cell.shape, "seed": cell.seed,
            "ndcg@10": ndcg, "val_ndcg@10": "0.03"}


def test_resume_runs_only_the_cells_missing_from_the_file(tmp_path):
    path = tmp_path / "results.csv"
    write_rows(path, [_row(CELLS[0], "0.02"), _row(CELLS[3], "0.04")])
    rows = read_rows(path)  # as a rerun sees them: every value a string, seeds included
    assert [r["seed"] for r in rows] == ["0", "1"]
    assert pending(CELLS, rows) == [CELLS[1], CELLS[2]]  # in the study's order


def test_test_saved_picks_only_validated_untested_cells(tmp_path):
    path = tmp_path / "results.csv"
    write_rows(path, [_row(CELLS[0], ""), _row(CELLS[1], "0.05"), _row(CELLS[2], "")])
    rows = read_rows(path)
    assert pending(CELLS, rows, test_saved=True) == [CELLS[0], CELLS[2]]  # CELLS[3] never ran
    assert pending(CELLS, rows) == [CELLS[3]]


def test_a_tested_row_keeps_its_place_and_a_new_one_goes_last():
    rows = [_row(CELLS[0], ""), _row(CELLS[1], "")]
    put_row(rows, _row(CELLS[0], "0.07"))
    put_row(rows, _row(CELLS[2], "0.01"))
    assert [(row_key(r), r["ndcg@10"]) for r in rows] == [
        (CELLS[0].key, "0.07"), (CELLS[1].key, ""), (CELLS[2].key, "0.01")]


def test_rewrite_is_whole_file_or_nothing(tmp_path):
    path = tmp_path / "results.csv"
    write_rows(path, [_row(CELLS[0], "0.02")])
    before = path.read_text()
    assert before.splitlines()[0] == ",".join(COLUMNS)

    class Unwritable:
        def __str__(self) -> str:
            raise OSError("disk full")  # the writer dies after the header and the first row

    with pytest.raises(OSError, match="disk full"):
        write_rows(path, [_row(CELLS[0], "0.02"), _row(CELLS[1], "0.03"), _row(CELLS[2], Unwritable())])
    assert path.read_text() == before  # not a half-written file with two of the three rows

    write_rows(path, [_row(CELLS[0], "0.02"), {**_row(CELLS[1], "0.03"), "_popularity": {"x": 1}}])
    assert [r["ndcg@10"] for r in read_rows(path)] == ["0.02", "0.03"]  # private keys are not columns
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]  # the failed try's temp file is gone
