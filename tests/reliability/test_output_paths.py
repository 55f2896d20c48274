"""Every output path is checked before the expensive part (an epoch, the index fit, beam search):
one line naming the option, exit status 2, nothing written; `~` is the home directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_main, tiny_config, write_config

SHORT_FIT = {"max_epochs": 1, "limit_train_batches": 1, "limit_val_batches": 1}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """best.ckpt of a one-batch fit, for the evaluation cases."""
    root = tmp_path_factory.mktemp("trained")
    cfg = tiny_config(
        trainer=SHORT_FIT, checkpoint={"dirpath": str(root / "ck"), "every_n_train_steps": None}
    )
    cfg["data"]["cache_dir"] = str(root / "cache")
    write_config(root / "run.yaml", cfg)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("WANDB_MODE", "disabled")
        code, err = run_main("fit", "--config", "run.yaml")
    assert code == 0, err[-3000:]
    return root


@pytest.fixture
def read_only(tmp_path) -> Path:
    """A folder no file can be created in; as root, which ignores permission bits, sysfs's root."""
    if os.geteuid() == 0:
        return Path("/sys")
    path = tmp_path / "read-only"
    path.mkdir()
    path.chmod(0o555)
    return path


def _written(root: Path) -> list[str]:
    """What a refused run must not leave: temporaries, predictions, metrics, checkpoints, indexes."""
    found = [p for p in root.rglob("*") if p.is_file() and p.name != "run.yaml"]
    return sorted(str(p.relative_to(root)) for p in found)


def _fit(in_tmp: Path, *args: str) -> tuple[int, str]:
    config = write_config(in_tmp / "run.yaml", tiny_config(trainer=SHORT_FIT))
    return run_main("fit", "--config", str(config), *args)


def test_checkpoint_folder_under_a_file(in_tmp):
    (in_tmp / "notes").write_text("x")
    code, err = _fit(in_tmp, "--checkpoint.dirpath", "notes/ck")
    assert code == 2, err[-3000:]
    assert "lightlm: error: --checkpoint.dirpath: cannot create notes/ck: notes is a file" in err
    assert _written(in_tmp) == ["notes"]


def test_read_only_checkpoint_folder(in_tmp, read_only):
    code, err = _fit(in_tmp, "--checkpoint.dirpath", str(read_only / "ck"))
    assert code == 2, err[-3000:]
    where = f"cannot write to {read_only / 'ck'}: {read_only} is not writable"
    assert f"lightlm: error: --checkpoint.dirpath: {where}" in err
    assert _written(in_tmp) == []  # refused before the index fit, too


def test_read_only_cache_folder_is_refused_before_the_index_fit(in_tmp, read_only, monkeypatch):
    import functools

    import indexers.sequential

    # Same signature as the real `fit`, which the CLI checks against the ItemIndexer protocol.
    @functools.wraps(indexers.sequential.SequentialIndexer.fit)
    def never(*args, **kwargs):
        raise AssertionError("the index was fitted before the cache folder was checked")

    monkeypatch.setattr(indexers.sequential.SequentialIndexer, "fit", never)
    code, err = _fit(in_tmp, "--data.cache_dir", str(read_only / "cache"))
    assert code == 2, err[-3000:]
    where = f"cannot write to {read_only / 'cache'}: {read_only} is not writable"
    assert f"lightlm: error: --data.cache_dir: {where}" in err
    assert "Traceback" not in err
    assert not (in_tmp / "ck").exists()


def test_monitor_that_names_no_metric(in_tmp):
    code, err = _fit(in_tmp, "--checkpoint.monitor", "val/ndcg@50")
    assert code == 2, err[-3000:]
    assert (
        "lightlm: error: --checkpoint.monitor 'val/ndcg@50' is not a metric the model logs; choose one of"
        in err
    )
    assert "'val/ndcg@10'" in err.splitlines()[-1]
    assert _written(in_tmp) == []


@pytest.mark.parametrize(
    "subcommand, option, where, message",
    [
        ("predict", "--predictions.path", "notes/p.csv", "cannot create notes: notes is a file"),
        ("predict", "--predictions.path", "folder.csv", "folder.csv is a directory, not a file"),
        ("test", "--results.path", "notes/{stage}.json", "cannot create notes: notes is a file"),
        ("validate", "--results.path", "notes/{stage}.json", "cannot create notes: notes is a file"),
    ],
)
def test_evaluation_output_under_a_file_is_refused_before_beam_search(
    trained, in_tmp, monkeypatch, subcommand, option, where, message
):
    import lightlm.generative

    def never(*args, **kwargs):
        raise AssertionError("beam search ran before the output path was checked")

    monkeypatch.setattr(lightlm.generative.GenerativeRecommender, "recommend", never)
    (in_tmp / "notes").write_text("x")
    (in_tmp / "folder.csv").mkdir()
    code, err = run_main(subcommand, "--config", str(trained / "run.yaml"), option, where)
    assert code == 2, err[-3000:]
    assert f"lightlm: error: {option}: {message}" in err
    assert _written(in_tmp) == ["notes"]


def test_home_in_paths_is_expanded(trained, in_tmp, monkeypatch):
    """`~/...` is the home directory: no folder named `~` and no temporary left in the cwd."""
    home = in_tmp / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    args = ["--config", str(trained / "run.yaml"), "--data.cache_dir", "~/cache"]
    code, err = run_main("predict", *args, "--predictions.path", "~/out/p.csv")
    assert code == 0, err[-3000:]
    code, err = run_main("test", *args, "--results.path", "~/out/{stage}.json")
    assert code == 0, err[-3000:]
    assert (home / "out" / "p.csv").is_file() and (home / "out" / "test.json").is_file()
    assert any((home / "cache").glob("*.json"))
    in_home = sorted(str(p.relative_to(in_tmp)) for p in home.rglob("*") if p.is_file())
    assert [p for p in _written(in_tmp) if p != "config.yaml"] == in_home  # config.yaml: LightningCLI's


def test_index_json_into_a_missing_folder_is_written(trained, in_tmp):
    code, err = run_main("index", "--config", str(trained / "run.yaml"), "--json", "new/dir/stats.json")
    assert code == 0, err[-3000:]
    stats = json.loads((in_tmp / "new" / "dir" / "stats.json").read_text())
    assert stats["items"] == 80 and stats["from_cache"] is True


def test_index_json_under_a_file_is_refused_before_indexing(in_tmp):
    (in_tmp / "notes").write_text("x")
    config = write_config(in_tmp / "run.yaml", tiny_config())
    code, err = run_main("index", "--config", str(config), "--json", "notes/stats.json")
    assert code == 2, err[-3000:]
    assert "lightlm: error: --json: cannot create notes: notes is a file" in err
    assert _written(in_tmp) == ["notes"]  # no index cached


def test_catalogue_smaller_than_the_list_is_one_line(in_tmp):
    rows = [[u, *((u + j * 4) % 15 + 1 for j in range(5))] for u in range(1, 41)]  # 15 items in all
    (in_tmp / "small.txt").write_text("".join(" ".join(map(str, r)) + "\n" for r in rows))
    code, err = _fit(in_tmp, "--data.path", "small.txt")
    assert code == 2, err[-3000:]
    assert (
        "lightlm: error: the catalogue has 15 items, fewer than --model.top_k (20): every user's list "
        "must hold top_k distinct items and the metrics need 20"
    ) in err
    assert "Traceback" not in err
    assert not (in_tmp / "ck").exists()
