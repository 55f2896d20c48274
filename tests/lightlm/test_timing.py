"""StageTimer: training epochs, validation and test timed apart, printed and written as JSON."""

import json

import lightning as L

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.sequential import SequentialIndexer
from lightlm.callbacks.timing import StageTimer
from lightlm.generative import GenerativeRecommender


def test_stage_timer_separates_training_validation_and_test(tmp_path, capsys):
    synthetic = SyntheticConfig(n_users=60, n_items=60, n_communities=4, mean_length=8)
    dm = RecDataModule(
        indexer=SequentialIndexer(), synthetic=synthetic, batch_size=16, eval_batch_size=32,
        cache_dir=str(tmp_path / "c"))
    timer = StageTimer(path=str(tmp_path / "timing.json"))
    trainer = L.Trainer(
        max_epochs=2, limit_train_batches=3, limit_val_batches=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, callbacks=[timer], default_root_dir=tmp_path,
    )
    model = GenerativeRecommender(preset="tiny")
    trainer.fit(model, datamodule=dm)
    fit = json.loads((tmp_path / "timing.json").read_text())
    assert fit["stage"] == "fit" and fit["train_epochs"] == 2 and fit["validation_runs"] == 2
    assert fit["train_seconds"] > 0 and fit["validation_seconds"] > 0
    assert fit["train_samples_per_s"] > 0 and fit["validation_users_per_s"] > 0
    trainer.test(model, datamodule=dm)
    test = json.loads((tmp_path / "timing.json").read_text())
    assert test["stage"] == "test" and test["test_users"] == 60 and test["test_users_per_s"] > 0
    out = capsys.readouterr().out
    assert "timing: 2 training epochs" in out and "timing: test 60 users" in out
