"""`lightlm index` (and `stats`): own options are parser arguments (listed by `--help`) that work."""

import json

import pytest

from lightlm.cli import main

TINY = ["--data.synthetic.n_users", "60", "--data.synthetic.n_items", "80", "--data.cache_dir", "cache",
        "--data.indexer.base", "10"]


@pytest.mark.parametrize("command, options", [
    ("index", ["--rebuild fit the index again instead of loading a cached one",
               "--json [PATH] also write the statistics to this JSON file"]),
    ("stats", ["--export [DIR] also write the split to train.csv, valid.csv, test.csv in this directory",
               "--json [PATH] also write the statistics to this JSON file"]),
])
def test_help_lists_the_commands_own_options(command, options, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"usage: lightlm {command}" in out
    for option in options:
        assert option in out


def test_json_reports_the_cache_and_rebuild_ignores_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = [[], [], ["--rebuild"]]
    stats = []
    for i, extra in enumerate(runs):
        main(["index", *TINY, *extra, "--json", f"s{i}.json"])
        stats.append(json.loads((tmp_path / f"s{i}.json").read_text()))
    assert [s["from_cache"] for s in stats] == [False, True, False]
    assert stats[0]["items"] == 80 and stats[0]["users"] == 60
    assert len({s["hash"] for s in stats}) == 1  # the rebuilt index is the same index
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1


def test_json_needs_a_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(["index", *TINY, "--json"])
    assert e.value.code == 2
    assert "lightlm: error: --json needs a PATH for the statistics" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()
