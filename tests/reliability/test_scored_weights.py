"""Every evaluation scores the weights it names: the default best.ckpt is read exactly like an
explicit `--ckpt_path`, untrained weights are never scored, and a second `fit` into the same
folder cannot replace the first one's checkpoints (see docs/reliability.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from conftest import run_main, run_main_out, tiny_config, write_config

# The trained model differs from the config's defaults in a behaviour option and a shape option:
# an evaluation that does not read them from the checkpoint scores another model or crashes.
FIT_ONLY = ["--model.causal_encoder", "true", "--model.d_model", "48"]
SEQUENTIAL = ["--data.task", "sequential", "--data.history_len", "5"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    """A 2-epoch fit of the tiny generative model into `ck/` and of a tiny SASRec into `sasrec/`."""
    root = tmp_path_factory.mktemp("fitted")
    cfg = tiny_config(checkpoint={"dirpath": "ck", "every_n_train_steps": None})
    write_config(root / "run.yaml", cfg)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("WANDB_MODE", "disabled")
        for args in (
            [*FIT_ONLY],
            ["--model.class_path", "lightlm.sasrec.SASRec", "--model.d_model", "16",
             "--checkpoint.dirpath", "sasrec"],
        ):  # fmt: skip
            code, err = run_main("fit", "--config", "run.yaml", *SEQUENTIAL, *args)
            assert code == 0, err[-3000:]
    return root


def _evaluate(root: Path, *args: str) -> tuple[int, str, str, dict | None]:
    """`lightlm test` of run.yaml in `root`: (exit code, stdout, stderr, the metrics or None)."""
    results = root / "eval.json"
    results.unlink(missing_ok=True)
    code, out, err = run_main_out(
        "test", "--config", "run.yaml", *SEQUENTIAL, "--results.path", str(results), *args
    )
    metrics = json.loads(results.read_text())["metrics"] if results.exists() else None
    return code, out, err, metrics


@pytest.fixture
def in_fitted(fitted, monkeypatch) -> Path:
    monkeypatch.chdir(fitted)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    return fitted


def test_default_checkpoint_is_read_like_an_explicit_one(in_fitted):
    """`test` without --ckpt_path takes the model's settings (causal encoder, width) from best.ckpt,
    not from the command line, as an explicit --ckpt_path always did."""
    code, out, err, default = _evaluate(in_fitted)
    assert code == 0, err[-3000:]
    code, _, err, explicit = _evaluate(in_fitted, "--ckpt_path", "ck/best.ckpt")
    assert code == 0, err[-3000:]
    assert default == explicit
    assert 0.0 < default["test/ndcg@10"] < 1.0
    best = torch.load(in_fitted / "ck" / "best.ckpt", map_location="cpu", weights_only=True)
    trained = best["hyper_parameters"]
    assert trained["causal_encoder"] is True and trained["d_model"] == 48
    at = f"epoch={best['epoch']}, step={best['global_step']}"
    line = f"lightlm test: scoring ck/best.ckpt (GenerativeRecommender, {at})"
    assert line in out.splitlines()


def test_every_evaluation_names_its_weights(in_fitted):
    last = torch.load(in_fitted / "ck" / "last.ckpt", map_location="cpu", weights_only=True)
    code, out, err = run_main_out("validate", "--config", "run.yaml", *SEQUENTIAL, "--ckpt_path", "last",
                                  "--results.path", str(in_fitted / "v.json"))  # fmt: skip
    assert code == 0, err[-3000:]
    assert f"lightlm validate: scoring ck/last.ckpt (GenerativeRecommender, epoch={last['epoch']}, " in out
    code, out, err = run_main_out("predict", "--config", "run.yaml", *SEQUENTIAL,
                                  "--predictions.path", str(in_fitted / "p.csv"))  # fmt: skip
    assert code == 0, err[-3000:]
    assert re.search(
        r"^lightlm predict: scoring ck/best.ckpt \(GenerativeRecommender, epoch=\d+, step=\d+\)$", out, re.M
    )


@pytest.mark.parametrize(
    "subcommand, args, message",
    [
        ("validate", [], "--ckpt_path: no checkpoint at empty/best.ckpt; run `lightlm fit`"),
        ("validate", ["--ckpt_path", "best"], "--ckpt_path best: no checkpoint at empty/best.ckpt"),
        ("test", ["--ckpt_path", "last"], "--ckpt_path last: no checkpoint at empty/last.ckpt"),
        ("predict", ["--ckpt_path", "last"], "--ckpt_path last: no checkpoint at empty/last.ckpt"),
    ],
)
def test_untrained_weights_are_never_scored(in_tmp, subcommand, args, message):
    (in_tmp / "empty").mkdir()
    config = write_config(in_tmp / "run.yaml", tiny_config(checkpoint={"dirpath": "empty"}))
    code, err = run_main(subcommand, "--config", str(config), *args)
    assert code == 2, err[-3000:]
    assert f"lightlm: error: {message}" in err and "Traceback" not in err
    assert sorted(p.name for p in in_tmp.rglob("*") if p.is_file()) == ["run.yaml"]  # no metrics, no cache


def test_sasrec_checkpoint_under_a_generative_config_is_scored_as_sasrec(in_fitted):
    """The config names the generative model and its beams; the checkpoint is a SASRec, which has
    no beams: it is scored as what it is, exactly as with its own config."""
    sasrec = ["--checkpoint.dirpath", "sasrec"]
    code, out, err, under_generative = _evaluate(in_fitted, *sasrec, "--model.num_beams", "30")
    assert code == 0, err[-3000:]
    best = torch.load(in_fitted / "sasrec" / "best.ckpt", map_location="cpu", weights_only=True)
    assert f"lightlm test: scoring sasrec/best.ckpt (SASRec, epoch={best['epoch']}, " in out
    own = ["--model.class_path", "lightlm.sasrec.SASRec", "--model.d_model", "16"]
    code, _, err, as_sasrec = _evaluate(in_fitted, *sasrec, *own)
    assert code == 0, err[-3000:]
    assert under_generative == as_sasrec


def test_sasrec_checkpoint_with_data_it_cannot_read_is_one_line(in_fitted):
    code, err = run_main("test", "--config", "run.yaml", "--checkpoint.dirpath", "sasrec")  # direct task
    assert code == 2
    assert "lightlm: error: SASRec reads the user's recent items: set --data.task sequential" in err
    assert "Traceback" not in err


def test_a_second_fit_cannot_replace_the_first(in_fitted):
    before = {p.name: p.read_bytes() for p in (in_fitted / "ck").iterdir()}
    code, err = run_main("fit", "--config", "run.yaml", *SEQUENTIAL, "--trainer.max_epochs", "1")
    assert code == 2, err[-3000:]
    assert (
        "lightlm: error: --checkpoint.dirpath ck already holds best.ckpt, last.ckpt of an earlier fit; "
        "resume it with --ckpt_path ck/last.ckpt, replace it with --overwrite true, "
        "or choose another --checkpoint.dirpath"
    ) in err
    assert {p.name: p.read_bytes() for p in (in_fitted / "ck").iterdir()} == before


def test_overwrite_replaces_an_earlier_fit(in_tmp):
    cfg = tiny_config(
        trainer={"max_epochs": 1, "limit_train_batches": 1}, checkpoint={"every_n_train_steps": None}
    )
    config = write_config(in_tmp / "run.yaml", cfg)
    (in_tmp / "ck").mkdir()
    (in_tmp / "ck" / "best.ckpt").write_bytes(b"an earlier result")
    code, err = run_main("fit", "--config", str(config))
    assert code == 2 and "already holds best.ckpt of an earlier fit" in err
    assert (in_tmp / "ck" / "best.ckpt").read_bytes() == b"an earlier result"
    code, err = run_main("fit", "--config", str(config), "--overwrite", "true")
    assert code == 0, err[-3000:]
    assert torch.load(in_tmp / "ck" / "best.ckpt", weights_only=True)["epoch"] == 0
