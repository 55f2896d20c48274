"""`last.ckpt` holds the latest weights, not the best epoch's, when validation stops improving:
Lightning 2.6 writes `save_last` only when the monitored checkpoint is saved too, which made a
resume or `--ckpt_path last` silently continue from the best epoch (see docs/reliability.md)."""

from __future__ import annotations

import torch
from conftest import run_main, tiny_config, write_config

from lightlm.recommender import Recommender

# val/ndcg@10 reported at the end of each epoch: the best is epoch 1, the last two are worse.
SCRIPTED_NDCG = {0: 0.20, 1: 0.50, 2: 0.40, 3: 0.30}


def _scripted_validation_end(self) -> None:
    metrics = self.val_metrics.compute()
    if not self.trainer.sanity_checking:
        metrics["ndcg@10"] = torch.tensor(SCRIPTED_NDCG[self.current_epoch])
    self.log_dict({f"val/{k}": v for k, v in metrics.items()})
    self.val_metrics.reset()


def _epoch_and_weights(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    return state["epoch"], state["global_step"], state["state_dict"]


def _fit(in_tmp, monkeypatch, **checkpoint):
    monkeypatch.setattr(Recommender, "on_validation_epoch_end", _scripted_validation_end)
    cfg = tiny_config(trainer={"max_epochs": 4}, checkpoint={"dirpath": "ck", **checkpoint})
    write_config(in_tmp / "run.yaml", cfg)
    code, err = run_main("fit", "--config", "run.yaml")
    assert code == 0, err[-3000:]


def test_last_checkpoint_is_the_final_epoch_after_validation_stopped_improving(in_tmp, monkeypatch):
    _fit(in_tmp, monkeypatch, every_n_train_steps=None)
    best_epoch, best_step, best_weights = _epoch_and_weights(in_tmp / "ck" / "best.ckpt")
    last_epoch, last_step, last_weights = _epoch_and_weights(in_tmp / "ck" / "last.ckpt")
    assert best_epoch == 1
    assert last_epoch == 3 and last_step == 2 * best_step  # 4 epochs of equal length, best after 2
    assert any(not torch.equal(best_weights[k], last_weights[k]) for k in best_weights)
    assert sorted(p.name for p in (in_tmp / "ck").iterdir()) == ["best.ckpt", "last.ckpt"]


def test_step_checkpoints_still_write_last_mid_epoch(in_tmp, monkeypatch):
    """With `every_n_train_steps` the latest checkpoint also follows training between validations,
    which is what makes a killed run resumable (test_resume_after_kill.py)."""
    _fit(in_tmp, monkeypatch, every_n_train_steps=2)
    _, best_step, _ = _epoch_and_weights(in_tmp / "ck" / "best.ckpt")
    last_epoch, last_step, _ = _epoch_and_weights(in_tmp / "ck" / "last.ckpt")
    assert last_epoch == 3 and last_step > best_step


def test_save_last_false_writes_no_last_checkpoint(in_tmp, monkeypatch):
    _fit(in_tmp, monkeypatch, every_n_train_steps=None, save_last=False)
    assert sorted(p.name for p in (in_tmp / "ck").iterdir()) == ["best.ckpt"]


def test_step_checkpoints_never_put_unscored_weights_in_best(in_tmp, monkeypatch):
    """Between validations a step save point judges the weights by the last validation's score;
    best.ckpt must still be the weights that validation scored: the end of epoch 1, not a later
    step of epoch 2 carrying epoch 1's score."""
    _fit(in_tmp, monkeypatch, every_n_train_steps=2)
    best_epoch, best_step, _ = _epoch_and_weights(in_tmp / "ck" / "best.ckpt")
    _, last_step, _ = _epoch_and_weights(in_tmp / "ck" / "last.ckpt")
    assert (best_epoch, best_step) == (1, last_step // 2)  # 4 epochs of equal length
