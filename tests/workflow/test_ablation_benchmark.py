"""benchmarks/ablation.py on tiny synthetic data: results files, resuming after an interruption."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ablation():
    spec = importlib.util.spec_from_file_location("ablation_benchmark", ROOT / "benchmarks" / "ablation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_help_lists_presets_and_options(ablation, capsys):
    with pytest.raises(SystemExit) as exit:
        ablation.parse_args(["--help"])
    assert exit.value.code == 0
    text = capsys.readouterr().out
    for word in ("--preset", "cpu-small", "paper", "smoke", "--indexers", "--shapes", "--seeds", "--out",
                 "--fresh", "--max-cells"):
        assert word in text


def test_interrupted_ablation_resumes_and_skips_finished_cells(ablation, tmp_path, monkeypatch):
    out = tmp_path / "abl"
    argv = ["--preset", "smoke", "--data", "synthetic", "--indexers", "random", "--seeds", "0", "1",
            "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    real_run_cell, ran = ablation.run_cell, []

    def run_cell(cell, *args):
        ran.append(cell.key)
        if len(ran) == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the second cell
        return real_run_cell(cell, *args)

    monkeypatch.setattr(ablation, "run_cell", run_cell)
    assert ablation.main(argv) == 130
    rows = _rows(out / "results.csv")
    assert [r["model"] for r in rows] == ["popularity", "generative"]  # the finished cell survived
    first = rows[1]

    assert ablation.main([*argv, "--max-cells", "1"]) == 0  # the interrupted cell, then stop
    assert len(_rows(out / "results.csv")) == 3

    assert ablation.main(argv) == 0
    # 4 cells (1 indexer x 2 shapes x 2 seeds); every cell ran exactly once, except the one
    # interrupted mid-way, which ran again.
    assert ran.count(ran[1]) == 2 and len(ran) == 5 and len(set(ran)) == 4
    rows = _rows(out / "results.csv")
    assert len(rows) == 5 and rows[1] == first
    cells = {(r["indexer"], r["shape"], r["seed"]) for r in rows if r["model"] == "generative"}
    assert cells == {("random", s, str(seed)) for s in ("deep-narrow", "wide") for seed in (0, 1)}
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
    assert ablation.main(argv) == 0  # all done: nothing runs again
    assert ran == []


def test_resume_refuses_results_of_other_settings(ablation, tmp_path):
    out = tmp_path / "abl"
    argv = ["--preset", "smoke", "--data", "synthetic", "--indexers", "random", "--shapes", "wide",
            "--seeds", "0", "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert ablation.main([*argv, "--max-cells", "0"]) == 0  # records the settings, runs nothing
    ablation.write_rows(out / "results.csv", [])
    with pytest.raises(SystemExit, match="other settings"):
        ablation.main([*argv, "--epochs", "2"])


def test_validate_only_study_never_tests_and_shapes_set_the_task(ablation, tmp_path, monkeypatch):
    """A one-change study: a shape can switch to the sequential task; --validate-only reads no test."""
    from dataclasses import replace

    smoke = ablation.PRESETS["smoke"]
    study = replace(smoke, shapes={
        "base": dict(preset="tiny", task="sequential", history_len=3),
        "items": dict(preset="tiny", task="sequential", history_len=3, history_input="items"),
    })
    monkeypatch.setitem(ablation.PRESETS, "smoke", study)
    built, tested = [], []
    real_dm = ablation.datamodule

    def datamodule(*args, **kw):
        dm = real_dm(*args, **kw)
        built.append((dm.task, dm.history_len))
        return dm

    monkeypatch.setattr(ablation, "datamodule", datamodule)
    monkeypatch.setattr(ablation.L.Trainer, "test", lambda *a, **k: tested.append(1))
    out = tmp_path / "study"
    argv = ["--preset", "smoke", "--data", "synthetic", "--indexers", "sequential", "--seeds", "0",
            "--models", "generative", "--validate-only", "--out", str(out),
            "--cache-dir", str(tmp_path / "c")]
    assert ablation.main(argv) == 0
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
    assert ablation.main([*argv, "--shapes", "wide"]) == 0
    assert [r["shape"] for r in _rows(out / "results.csv")] == ["base", "items", "wide"]
    study.shapes["items"] = dict(study.shapes["items"], label_smoothing=0.1)
    with pytest.raises(SystemExit, match="other settings"):
        ablation.main(argv)
    study.shapes["items"].pop("label_smoothing")
    with pytest.raises(SystemExit, match="other settings"):
        ablation.main([a for a in argv if a != "--validate-only"])

    # The choice is tested from its kept checkpoint, without retraining; the others stay untested.
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        f"generative-sequential-{s}-0.ckpt" for s in ("base", "items", "wide")]
    monkeypatch.undo()
    monkeypatch.setitem(ablation.PRESETS, "smoke", study)
    monkeypatch.setattr(ablation, "run_cell", lambda *a: pytest.fail("--test-saved must not train"))
    val_items = next(r["val_ndcg@10"] for r in _rows(out / "results.csv") if r["shape"] == "items")
    test_argv = [a for a in argv if a != "--validate-only"] + ["--test-saved"]
    assert ablation.main([*test_argv, "--shapes", "items"]) == 0
    rows = _rows(out / "results.csv")
    assert [r["shape"] for r in rows] == ["-", "base", "items", "wide"]  # popularity first, order kept
    assert rows[1]["ndcg@10"] == "" and rows[3]["ndcg@10"] == ""
    assert 0.0 <= float(rows[2]["ndcg@10"]) <= 1.0 and rows[2]["val_ndcg@10"] == val_items


def test_plot_leaves_out_cells_not_tested_yet(ablation, tmp_path):
    """Mid `--test-saved`, SASRec or a variant may still lack test figures: the plot skips them."""
    def row(model, shape, ndcg):
        r = {"model": model, "indexer": "sci" if model == "generative" else "-", "shape": shape, "seed": "0",
             "best_epoch": "1", "val_ndcg@10": "0.02", "val_recall@10": "0.04", "params": "1",
             "train_seconds": "1"}
        return {**r, **{m: ndcg for m in ablation.METRICS}}

    rows = [row("popularity", "-", "0.005"), row("generative", "a", "0.01"), row("generative", "b", ""),
            row("sasrec", "sasrec", "")]
    summary = ablation.summarize(rows)
    ablation.plot(summary, tmp_path / "p.png", "partial")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
