"""`--trainer.strategy ddp --trainer.devices 2 --trainer.accelerator cpu` evaluates a checkpoint
exactly as one process does: every user on exactly one rank, metrics summed across ranks, and
`predict` writes every user once. (Training under DDP need not match one process; evaluation
of the same checkpoint must.)"""

from __future__ import annotations

import json

import polars as pl
from conftest import N_USERS, reference_args, run_cli, run_main, torch_threads

from lightlm.metrics import METRIC_NAMES

DDP = ["--trainer.strategy", "ddp", "--trainer.devices", "2", "--trainer.accelerator", "cpu"]


def _single_process(subcommand, reference_run, out_dir, *args):
    # One thread, as the DDP ranks (and every CLI subprocess of these tests) use.
    with torch_threads(1):
        code, err = run_main(subcommand, *reference_args(reference_run, out_dir), *args)
    assert code == 0, err


def test_ddp_test_metrics_equal_one_process(reference_run, in_tmp):
    single, ddp = in_tmp / "single", in_tmp / "ddp"
    _single_process("test", reference_run, single, "--results.per_user", str(single / "users.csv"))
    per_user = ["--results.per_user", str(ddp / "users.csv")]
    code, _, err = run_cli(in_tmp, "test", *reference_args(reference_run, ddp), *DDP, *per_user)
    assert code == 0, err[-3000:]
    one = json.loads((single / "test_metrics.json").read_text())["metrics"]
    two = json.loads((ddp / "test_metrics.json").read_text())["metrics"]
    assert set(one) == set(two) and len(one) == 2 * len(METRIC_NAMES)  # model and popularity
    assert two == one  # exact: sums of per-user terms, each user counted on one rank
    users = pl.read_csv(ddp / "users.csv")  # both ranks' users, gathered, each once
    assert users.height == N_USERS and users.equals(pl.read_csv(single / "users.csv"))


def test_ddp_predict_writes_every_user_once(reference_run, in_tmp):
    single, ddp = in_tmp / "single", in_tmp / "ddp"
    _single_process("predict", reference_run, single)
    code, _, err = run_cli(in_tmp, "predict", *reference_args(reference_run, ddp), *DDP)
    assert code == 0, err[-3000:]
    one = pl.read_csv(single / "predictions.csv")
    two = pl.read_csv(ddp / "predictions.csv")
    counts = two.group_by("user").len()
    assert counts.height == N_USERS  # every user of the dataset (101 on rank 0, 100 on rank 1)
    assert (counts["len"] == 20).all()  # once each: 20 ranked items, no repeats
    assert not two.select("user", "rank").is_duplicated().any()
    assert two.select("user", "rank", "item").equals(one.select("user", "rank", "item"))
    assert (two["score"] - one["score"]).abs().max() < 1e-5
    assert not list(ddp.glob("*.tmp")) and not list(ddp.glob(".*.tmp"))
