"""`lightlm stats`: the dataset table checked by hand on a tiny file, and the exported split."""

import json

import polars as pl
import pytest

from lightlm.cli import main

# User 4 has two interactions: the split cannot use them, so the statistics leave them out.
DATA = "1 10 11 12 13\n2 11 12 10\n3 12 13 10 11 14\n4 10 11\n"


@pytest.fixture
def data_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data.txt"
    path.write_text(DATA)
    return path


def test_statistics_by_hand(data_file, tmp_path, capsys):
    with pytest.warns(UserWarning, match="dropped 1 user"):
        main(["stats", "--data.path", str(data_file), "--json", str(tmp_path / "s.json")])
    stats = json.loads((tmp_path / "s.json").read_text())
    assert (stats["users"], stats["items"], stats["interactions"]) == (3, 5, 12)  # 4 + 3 + 5
    assert stats["density"] == pytest.approx(12 / 15)
    assert stats["sequence_length"] == {"mean": 4.0, "median": 4.0, "min": 3, "max": 5}
    assert stats["users_dropped_by_split"] == 1
    assert (stats["train_interactions"], stats["valid_interactions"], stats["test_interactions"]) == (6, 3, 3)
    out = capsys.readouterr().out
    assert "80.0000%" in out and "4.00 / 4" in out


def test_export_writes_the_split_in_original_ids(data_file, tmp_path):
    with pytest.warns(UserWarning):
        main(["stats", "--data.path", str(data_file), "--export", str(tmp_path / "split")])
    read = {n: pl.read_csv(tmp_path / "split" / f"{n}.csv") for n in ("train", "valid", "test")}
    rows = {n: list(f.iter_rows()) for n, f in read.items()}
    assert rows["train"] == [(1, 10, 0), (1, 11, 1), (2, 11, 0), (3, 12, 0), (3, 13, 1), (3, 10, 2)]
    assert rows["valid"] == [(1, 12, 2), (2, 12, 1), (3, 11, 3)]
    assert rows["test"] == [(1, 13, 3), (2, 10, 2), (3, 14, 4)]
    assert not list((tmp_path / "split").glob(".*.tmp"))


def test_export_needs_a_path(data_file, capsys):
    with pytest.raises(SystemExit) as e:
        main(["stats", "--data.path", str(data_file), "--export"])
    assert e.value.code == 2
    assert "--export needs a path" in capsys.readouterr().err


def test_export_and_json_together(data_file, tmp_path):
    with pytest.warns(UserWarning):
        main(["stats", "--data.path", str(data_file), "--json", "s.json", "--export", "split"])
    assert json.loads((tmp_path / "s.json").read_text())["users"] == 3
    assert pl.read_csv(tmp_path / "split" / "test.csv").height == 3
