"""`fit`, `test` and `predict` pass with every outgoing connection refused, W&B included (the
kit's offline default, with no WANDB_* variable set), and no connection is even attempted.

The network is taken away twice over: a `sitecustomize` refuses and records any Python socket
connection or name lookup that leaves the machine, and, where the system allows it, the runs
happen in a network namespace of their own (`unshare -rn`), which also covers wandb's Go core.
"""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
from conftest import N_USERS, cli_env, network_namespace

# `test` then `predict` through `lightlm.cli.main` in one process (one import of torch).
DRIVER = """
import sys
from lightlm.cli import main
common = sys.argv[1:]
main(["test", *common])
main(["predict", *common])
"""


def test_fit_ran_offline_without_any_connection_attempt(reference_run):
    assert reference_run.returncode == 0
    assert reference_run.attempts == ""
    # The default logger ran, offline: its run directory is there and nothing was synced.
    runs = list((reference_run.dir / "runs" / "wandb").glob("offline-run-*"))
    assert runs, "expected an offline W&B run directory"


def test_test_and_predict_run_offline(reference_run, tmp_path):
    net = tmp_path / "net"
    env = cli_env(net)
    assert not any(k.startswith("WANDB_") for k in env)
    args = [
        "--config", str(reference_run.config),
        "--checkpoint.dirpath", str(reference_run.ckpt_dir),
        "--data.cache_dir", str(reference_run.dir / "cache"),
        "--predictions.path", str(tmp_path / "predictions.csv"),
        "--results.path", str(tmp_path / "test_metrics.json"),
    ]  # fmt: skip
    proc = subprocess.run(
        [*network_namespace(), sys.executable, "-c", DRIVER, *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    attempts = net / "attempts.log"
    assert not attempts.exists() or attempts.read_text() == ""
    metrics = json.loads((tmp_path / "test_metrics.json").read_text())["metrics"]
    assert 0.0 < metrics["test/recall@20"] <= 1.0
    predictions = pl.read_csv(tmp_path / "predictions.csv")
    assert predictions["user"].n_unique() == N_USERS


def test_network_switch_really_refuses(tmp_path):
    """The switch itself: a connection attempt fails and is recorded."""
    net = tmp_path / "net"
    probe = (
        "import socket\n"
        "try:\n    socket.create_connection(('example.com', 443), timeout=5)\n"
        "except OSError as e:\n    print(type(e).__name__)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=cli_env(net), capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.strip() == "ConnectionRefusedError", proc.stderr
    assert "example.com" in (net / "attempts.log").read_text()
