"""`OptimizerSettings`: the checks, the schedule by hand, and the one definition every model's
`--model.lr`, `--model.weight_decay`, `--model.eps`, `--model.warmup_ratio` come from."""

import re

import pytest
import torch

from kitbase.errors import ConfigError
from lightlm.cli import main
from lightlm.generative import GenerativeRecommender
from lightlm.optimization import OptimizerSettings
from lightlm.sasrec import SASRec


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": 0.0}, "--model.lr must be positive, got 0.0"),
        ({"weight_decay": -0.1}, "--model.weight_decay must be at least 0, got -0.1"),
        ({"eps": -1e-8}, "--model.eps must be at least 0, got -1e-08"),
        ({"warmup_ratio": 1.0}, "--model.warmup_ratio must be in [0, 1), got 1.0"),
    ],
)
def test_bad_settings_name_the_option(kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        OptimizerSettings(**kwargs)


@pytest.mark.parametrize("model", [GenerativeRecommender, SASRec])
def test_every_model_checks_its_settings_there(model):
    with pytest.raises(ConfigError, match="--model.weight_decay must be at least 0"):
        model(weight_decay=-1.0)


def test_schedule_by_hand():
    # 40 steps, 10% warmup: 4 warmup steps at 1/4, 2/4, 3/4, 4/4, then (40 - step) / 36 to 0.
    factor = OptimizerSettings(warmup_ratio=0.1).schedule(40)
    assert [factor(s) for s in range(5)] == [0.25, 0.5, 0.75, 1.0, 36 / 36]
    assert factor(22) == pytest.approx(18 / 36) and factor(40) == 0.0


def test_configure_builds_adamw_with_the_settings():
    w = torch.nn.Parameter(torch.zeros(3))
    conf = OptimizerSettings(lr=0.02, weight_decay=0.1, eps=1e-7, warmup_ratio=0.5).configure([w], 4)
    group = conf["optimizer"].param_groups[0]
    assert isinstance(conf["optimizer"], torch.optim.AdamW)
    assert (group["weight_decay"], group["eps"], conf["lr_scheduler"]["interval"]) == (0.1, 1e-7, "step")
    assert group["lr"] == pytest.approx(0.02 * 1 / 2)  # step 0 of a 2-step warmup


def test_fused_adamw_makes_the_for_loop_forms_update():
    torch.manual_seed(0)
    start = [torch.randn(50, 8), torch.randn(8)]
    grads = [[torch.randn_like(w) for w in start] for _ in range(5)]
    trained = []
    for fused in (True, False):
        params = [torch.nn.Parameter(w.clone()) for w in start]
        opt = OptimizerSettings(lr=0.05, weight_decay=0.1).optimizer(params, fused=fused)
        assert opt.param_groups[0]["fused"] is fused
        for step in grads:
            for p, g in zip(params, step):
                p.grad = g.clone()
            opt.step()
        trained.append(params)
    for a, b, w in zip(*trained, start):
        assert (a - w).abs().max() > 0.1  # five steps of lr 0.05 moved the weights
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scaled", [False, True])
def test_fit_uses_the_fused_form_except_under_a_grad_scaler(scaled, tmp_path):
    """With a GradScaler (`16-mixed` on a GPU; built by hand here, as CPU runs get bf16 instead)
    Lightning refuses gradient clipping with an optimizer that unscales itself, as fused ones do."""
    import lightning as L
    from lightning.pytorch.plugins import MixedPrecision

    from datamodules.datamodule import RecDataModule
    from indexers.sequential import SequentialIndexer

    dm = RecDataModule(indexer=SequentialIndexer(base=10), task="sequential", history_len=3, batch_size=64,
                       cache_dir=str(tmp_path))
    rec = SASRec(d_model=8, n_layers=1, n_heads=1, d_ff=8, max_len=3)
    plugins = [MixedPrecision("16-mixed", "cpu", scaler=torch.amp.GradScaler("cpu"))] if scaled else None
    trainer = L.Trainer(max_steps=1, plugins=plugins, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, limit_val_batches=0,
                        gradient_clip_val=1.0, default_root_dir=tmp_path)
    trainer.fit(rec, datamodule=dm)
    assert trainer.optimizers[0].param_groups[0]["fused"] is not scaled


@pytest.mark.parametrize("model", ["GenerativeRecommender", "SASRec"])
def test_model_help_documents_the_settings(model, capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--model.help", model])
    out = " ".join(capsys.readouterr().out.split())
    assert "--model.lr LR AdamW peak learning rate. (type: float, default: 0.001)" in out
    assert "--model.warmup_ratio WARMUP_RATIO share of steps with a linear warmup" in out
    assert "--model.weight_decay WEIGHT_DECAY AdamW weight decay. (type: float, default: 0.01)" in out
