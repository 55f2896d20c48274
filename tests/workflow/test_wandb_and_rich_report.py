"""What a `lightlm` run reports: the rich test table, W&B offline/disabled runs with the resolved
config, index statistics and sample recommendations, and which W&B mode wins when."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from jsonargparse import Namespace

import lightlm.cli.app as cli
from lightlm.cli import main

TINY = {
    "seed_everything": 1,
    "trainer": {
        "max_epochs": 1,
        "accelerator": "cpu",
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "logger": {
            "class_path": "lightning.pytorch.loggers.WandbLogger",
            "init_args": {"project": "lightlm-test", "offline": True},
        },
    },
    "model": {"preset": "tiny"},
    "data": {"synthetic": {"n_users": 150, "n_items": 60, "seed": 0}, "batch_size": 128},
}


@pytest.fixture
def wandb_env(monkeypatch):
    """A clean W&B environment; `configure_wandb_env` decides as it would in a fresh shell."""
    for key in list(os.environ):
        if key.startswith("WANDB_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr(cli, "_WANDB_DEFAULTED", set())
    import wandb

    wandb.teardown()  # wandb caches the environment's settings per process
    yield
    if wandb.run is not None:  # Lightning leaves the run open; the next test needs a new one
        wandb.finish()
    wandb.teardown()


def _config(tmp_path: Path) -> Path:
    cfg = yaml.safe_load(yaml.safe_dump(TINY))
    cfg["trainer"]["logger"]["init_args"]["save_dir"] = str(tmp_path / "runs")
    cfg["data"]["cache_dir"] = str(tmp_path / "cache")
    cfg["checkpoint"] = {"dirpath": str(tmp_path / "ckpt")}
    cfg["predictions"] = {"path": str(tmp_path / "pred.csv")}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_disabled_wandb_fit_and_test_print_the_metrics_table(tmp_path, wandb_env, monkeypatch, capsys):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    config = _config(tmp_path)
    main(["fit", "--config", str(config)])
    main(["test", "--config", str(config)])
    assert os.environ["WANDB_MODE"] == "disabled"  # the config's `offline: true` did not override it
    assert not (tmp_path / "runs" / "wandb").exists()  # disabled: no run directory at all
    out = capsys.readouterr().out
    for text in ("GenerativeRecommender", "popularity", "x popularity", "recall@5", "ndcg@10", "ndcg@20"):
        assert text in out


def test_offline_run_logs_config_index_statistics_and_sample_table(tmp_path, wandb_env):
    import wandb

    config = _config(tmp_path)
    main(["fit", "--config", str(config)])
    wandb.finish()  # as at the end of the `lightlm fit` process
    main(["test", "--config", str(config)])
    runs = sorted((tmp_path / "runs" / "wandb").glob("offline-run-*"))
    assert len(runs) == 2  # fit and test, each its own offline run under save_dir
    # The resolved config (nested, with defaults), the index statistics and the best val score.
    # W&B's service process writes the offline log after `finish()` returns: wait for it a while.
    keys = (b'"preset":"tiny"', b"index_stats", b"code_length_histogram", b"val/best_ndcg@10")
    deadline = time.monotonic() + 60
    while True:
        fit_log = next(runs[0].glob("*.wandb")).read_bytes()
        if all(key in fit_log for key in keys) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for key in keys:
        assert key in fit_log, key
    tables = list(runs[1].glob("files/media/table/test/sample_recommendations*.table.json"))
    assert len(tables) == 1
    table = yaml.safe_load(tables[0].read_text())  # JSON is YAML
    assert table["columns"] == ["user", "history", "recommended", "held_out", "hit"]
    assert len(table["data"]) == 20
    for _user, history, recommended, held_out, hit in table["data"]:
        assert len(recommended.split()) == 10 and history and held_out
        assert hit == (held_out in recommended.split())


def _wandb_logger(offline: bool) -> Namespace:
    return Namespace(class_path="lightning.pytorch.loggers.WandbLogger", init_args=Namespace(offline=offline))


def test_offline_false_in_the_config_means_online(wandb_env):
    cli.configure_wandb_env()
    assert os.environ["WANDB_MODE"] == "offline" and os.environ["WANDB_SILENT"] == "true"
    logger = _wandb_logger(offline=False)
    cli.reconcile_wandb_mode(logger)
    assert os.environ["WANDB_MODE"] == "online"
    assert "WANDB_SILENT" not in os.environ  # online runs print their URL
    assert logger.init_args.offline is False


def test_default_config_stays_offline(wandb_env):
    cli.configure_wandb_env()
    logger = _wandb_logger(offline=True)
    cli.reconcile_wandb_mode([logger])
    assert os.environ["WANDB_MODE"] == "offline" and logger.init_args.offline is True


@pytest.mark.parametrize("mode", ["disabled", "online", "offline"])
def test_the_users_wandb_mode_beats_the_config(wandb_env, monkeypatch, mode):
    monkeypatch.setenv("WANDB_MODE", mode)
    cli.configure_wandb_env()
    for offline in (True, False):
        logger = _wandb_logger(offline)
        cli.reconcile_wandb_mode(logger)
        assert os.environ["WANDB_MODE"] == mode
        assert logger.init_args.offline is (mode == "offline")


def test_a_sweep_agents_runs_go_online(wandb_env, monkeypatch):
    monkeypatch.setenv("WANDB_SWEEP_ID", "abc123")
    cli.configure_wandb_env()
    logger = _wandb_logger(offline=True)
    cli.reconcile_wandb_mode(logger)
    assert os.environ["WANDB_MODE"] == "online" and logger.init_args.offline is False


def test_no_logger_is_left_alone(wandb_env):
    cli.configure_wandb_env()
    cli.reconcile_wandb_mode(False)
    cli.reconcile_wandb_mode(None)
    assert os.environ["WANDB_MODE"] == "offline"
