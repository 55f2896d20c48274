"""The ablation study on tiny synthetic data: results files, resuming after an interruption.

The study runs through `lightlm.experiments.runner.run_study`, as `benchmarks/ablation.py` calls
it; the script itself runs once, for its command line.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import lightning as L
import pytest

from lightlm.experiments import cells as cell_runs
from lightlm.experiments import presets, report, store
from lightlm.experiments.cells import RunSettings
from lightlm.experiments.runner import run_study

ROOT = Path(__file__).resolve().parents[2]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _cells(indexers, shapes=None, seeds=(0,), models=("generative", "sasrec")):
    preset = presets.PRESETS["smoke"]
    return presets.cells_for(preset, "smoke", list(indexers), shapes and list(shapes), list(seeds), models)


def test_script_help_lists_presets_and_options(tmp_path):
    """The script as users run it: a fresh interpreter, outside the repository, plain imports."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ablation.py"), "--help"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for word in ("--preset", "cpu-small", "paper", "smoke", "--indexers", "--shapes", "--seeds", "--out",
                 "--fresh", "--max-cells", "--validate-only", "--test-saved"):
        assert word in done.stdout


def test_missing_data_file_is_refused_before_anything_is_written(tmp_path):
    missing = tmp_path / "nowhere" / "data.txt"
    settings = RunSettings(data=str(missing), out=tmp_path / "o", cache_dir=tmp_path / "cache")
    with pytest.raises(SystemExit, match=f"no data file at {missing}"):
        run_study("smoke", presets.PRESETS["smoke"], settings, _cells(["random"]))
    assert not (tmp_path / "o").exists() and not (tmp_path / "cache").exists()


def test_interrupted_ablation_resumes_and_skips_finished_cells(tmp_path, monkeypatch):
    out = tmp_path / "abl"
    preset = presets.PRESETS["smoke"]
    settings = RunSettings(data="synthetic", out=out, cache_dir=tmp_path / "cache")
    cells = _cells(["random"], seeds=(0, 1))
    real_run_cell, ran = cell_runs.run_cell, []

    def run_cell(cell, *args):
        ran.append(cell.key)
        if len(ran) == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the second cell
        return real_run_cell(cell, *args)

    monkeypatch.setattr(cell_runs, "run_cell", run_cell)
    assert run_study("smoke", preset, settings, cells) == 130
    rows = _rows(out / "results.csv")
    assert [r["model"] for r in rows] == ["popularity", "generative"]  # the finished cell survived
    first = rows[1]

    assert run_study("smoke", preset, settings, cells, max_cells=1) == 0  # the interrupted cell, then stop
    assert len(_rows(out / "results.csv")) == 3

    assert run_study("smoke", preset, settings, cells) == 0
    # 4 cells (1 indexer x 2 shapes x 2 seeds); every cell ran exactly once, except the one
    # interrupted mid-way, which ran again.
    assert ran.count(ran[1]) == 2 and len(ran) == 5 and len(set(ran)) == 4
    rows = _rows(out / "results.csv")
    assert len(rows) == 5 and rows[1] == first
    done = {(r["indexer"], r["shape"], r["seed"]) for r in rows if r["model"] == "generative"}
    assert done == {("random", s, str(seed)) for s in ("deep-narrow", "wide") for seed in (0, 1)}
    for r in rows:
        for m in ("recall@10", "ndcg@10", "recall@20", "ndcg@20"):
            assert 0.0 <= float(r[m]) <= 1.0
    popularity = [r for r in rows if r["model"] == "popularity"]
    assert len(popularity) == 1

    md = (out / "results.md").read_text()
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 1 + 2  # header, popularity, one row per shape
    assert "**" in md and "±" in md and "Hardware:" in md
    assert (out / "ablation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    ran.clear()
    assert run_study("smoke", preset, settings, cells) == 0  # all done: nothing runs again
    assert ran == []


def test_resume_refuses_results_of_other_settings(tmp_path):
    out = tmp_path / "abl"
    preset = presets.PRESETS["smoke"]
    settings = RunSettings(data="synthetic", out=out, cache_dir=tmp_path / "cache")
    cells = _cells(["random"], shapes=["wide"])
    assert run_study("smoke", preset, settings, cells, max_cells=0) == 0  # records the settings, runs nothing
    store.write_rows(out / "results.csv", [])
    with pytest.raises(SystemExit, match="other settings"):
        run_study("smoke", preset, replace(settings, epochs=2), cells)


def test_validate_only_study_never_tests_and_shapes_set_the_task(tmp_path, monkeypatch):
    """A one-change study: a shape can switch to the sequential task; validate-only reads no test."""
    study = replace(presets.PRESETS["smoke"], shapes={
        "base": dict(preset="tiny", task="sequential", history_len=3),
        "items": dict(preset="tiny", task="sequential", history_len=3, history_input="items"),
    })
    built, tested = [], []
    real_dm = cell_runs.datamodule

    def datamodule(*args, **kw):
        dm = real_dm(*args, **kw)
        built.append((dm.task, dm.history_len))
        return dm

    monkeypatch.setattr(cell_runs, "datamodule", datamodule)
    monkeypatch.setattr(L.Trainer, "test", lambda *a, **k: tested.append(1))
    out = tmp_path / "study"
    settings = RunSettings(data="synthetic", out=out, cache_dir=tmp_path / "c", validate_only=True)

    def cells(shapes=None):
        return presets.cells_for(study, "smoke", ["sequential"], shapes, [0], ("generative",))

    assert run_study("smoke", study, settings, cells()) == 0
    assert tested == [] and built == [("sequential", 3), ("sequential", 3)]
    rows = _rows(out / "results.csv")
    assert [r["shape"] for r in rows] == ["base", "items"]  # no popularity row: it comes from test
    for r in rows:
        assert r["ndcg@10"] == ""
        assert 0.0 < float(r["val_ndcg@10"]) <= 1.0 and 0.0 < float(r["val_recall@10"]) <= 1.0
    md = (out / "results.md").read_text()
    assert "val_ndcg@10" in md and "| - |" in md and not (out / "ablation.png").exists()

    # Adding a variant keeps the finished cells, as does changing SASRec before any SASRec cell
    # ran; changing a finished variant, or reading test now, is refused.
    study.sasrec = dict(
        d_model=16, n_layers=1, n_heads=1, d_ff=32, dropout=0.1, max_len=3, train_windows=True
    )
    study.shapes["wide"] = dict(preset="tiny", task="sequential", history_len=3, d_ff=64)
    assert run_study("smoke", study, settings, cells(["wide"])) == 0
    assert [r["shape"] for r in _rows(out / "results.csv")] == ["base", "items", "wide"]
    study.shapes["items"] = dict(study.shapes["items"], label_smoothing=0.1)
    with pytest.raises(SystemExit, match="other settings"):
        run_study("smoke", study, settings, cells())
    study.shapes["items"].pop("label_smoothing")
    testing = replace(settings, validate_only=False)
    with pytest.raises(SystemExit, match="other settings"):
        run_study("smoke", study, testing, cells())

    # The choice is tested from its kept checkpoint, without retraining; the others stay untested.
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        f"generative-sequential-{s}-0.ckpt" for s in ("base", "items", "wide")]
    monkeypatch.undo()
    monkeypatch.setattr(cell_runs, "run_cell", lambda *a: pytest.fail("--test-saved must not train"))
    val_items = next(r["val_ndcg@10"] for r in _rows(out / "results.csv") if r["shape"] == "items")
    assert run_study("smoke", study, testing, cells(["items"]), test_saved=True) == 0
    rows = _rows(out / "results.csv")
    assert [r["shape"] for r in rows] == ["-", "base", "items", "wide"]  # popularity first, order kept
    assert rows[1]["ndcg@10"] == "" and rows[3]["ndcg@10"] == ""
    assert 0.0 <= float(rows[2]["ndcg@10"]) <= 1.0 and rows[2]["val_ndcg@10"] == val_items


def test_plot_leaves_out_cells_not_tested_yet(tmp_path):
    """Mid `--test-saved`, SASRec or a variant may still lack test figures: the plot skips them."""
    def row(model, shape, ndcg):
        r = {"model": model, "indexer": "sci" if model == "generative" else "-", "shape": shape, "seed": "0",
             "best_epoch": "1", "val_ndcg@10": "0.02", "val_recall@10": "0.04", "params": "1",
             "train_seconds": "1"}
        return {**r, **{m: ndcg for m in store.METRICS}}

    rows = [row("popularity", "-", "0.005"), row("generative", "a", "0.01"), row("generative", "b", ""),
            row("sasrec", "sasrec", "")]
    summary = report.summarize(rows)
    report.plot(summary, tmp_path / "p.png", "partial")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
