"""`lightlm.callbacks.averaging.EMAWeights`: the average is the hand-computed exponential moving
average of the weights after each optimizer step, and it is what validation, `best.ckpt` and a
later `lightlm validate` score."""

from __future__ import annotations

import json

import lightning as L
import pytest
import torch
from conftest import run_main, tiny_config, write_config

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError
from lightlm.callbacks.averaging import EMAWeights
from lightlm.generative import GenerativeRecommender


class _StepRecorder(L.Callback):
    """The current weights after every optimizer step, and the module's weights once fit ends."""

    def __init__(self) -> None:
        self.steps: list[dict[str, torch.Tensor]] = []
        self.final: dict[str, torch.Tensor] = {}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.steps.append({k: p.detach().clone() for k, p in pl_module.named_parameters()})

    def on_fit_end(self, trainer, pl_module) -> None:
        self.final = {k: p.detach().clone() for k, p in pl_module.named_parameters()}


@pytest.mark.parametrize("start_step", [0, 3])
def test_average_is_the_hand_computed_ema(tmp_path, start_step):
    data = SyntheticConfig(n_users=120, n_items=60, n_communities=3, seed=1)
    dm = RecDataModule(
        indexer=SequentialIndexer(base=10), synthetic=data, batch_size=32, cache_dir=str(tmp_path)
    )
    model = GenerativeRecommender(preset="tiny", lr=1e-2)
    recorder = _StepRecorder()
    # EMAWeights first: its update runs before the recorder reads the step's weights, as it would
    # after it; neither changes the current weights.
    trainer = L.Trainer(
        max_epochs=2, num_sanity_val_steps=0, accelerator="cpu", logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
        callbacks=[EMAWeights(decay=0.6, start_step=start_step), recorder],
    )
    L.seed_everything(0)
    trainer.fit(model, dm)
    steps = recorder.steps[start_step:]
    assert len(steps) >= 6
    for name, final in recorder.final.items():
        ema = steps[0][name]
        for weights in steps[1:]:
            ema = 0.6 * ema + 0.4 * weights[name]
        torch.testing.assert_close(final, ema, rtol=1e-5, atol=1e-6)
    moved = [k for k in recorder.final if not torch.equal(recorder.final[k], recorder.steps[-1][k])]
    assert moved, "the module should end with the average, not the last step's weights"


def test_best_checkpoint_holds_the_average_that_validation_scored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    # Not in the working directory, where `fit` saves its resolved config.yaml.
    cfg = tiny_config(trainer={"max_epochs": 3, "logger": False})
    config = write_config(tmp_path / "in" / "config.yaml", cfg)
    common = ["--config", str(config), "--results.path", str(tmp_path / "{stage}_metrics.json")]
    code, err = run_main("fit", *common, "--trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights",
                         "--trainer.callbacks.decay", "0.7")
    assert code == 0, err
    ckpt = torch.load(tmp_path / "ck" / "best.ckpt", map_location="cpu", weights_only=True)
    averaged, current = ckpt["state_dict"], ckpt["current_model_state"]
    assert any(not torch.equal(averaged[k], current[k]) for k in averaged)
    best = next(v["best_model_score"] for k, v in ckpt["callbacks"].items()
                if k.startswith("ModelCheckpoint"))
    code, err = run_main("validate", *common)
    assert code == 0, err
    scored = json.loads((tmp_path / "validate_metrics.json").read_text())["metrics"]["val/ndcg@10"]
    assert scored == pytest.approx(float(best), abs=1e-6)


@pytest.mark.parametrize("kwargs,message", [
    ({"decay": 1.0}, "--trainer.callbacks.decay must be in (0, 1), got 1.0"),
    ({"decay": 0.9, "start_step": -1}, "--trainer.callbacks.start_step must be at least 0, got -1"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ConfigError) as error:
        EMAWeights(**kwargs)
    assert str(error.value) == message
