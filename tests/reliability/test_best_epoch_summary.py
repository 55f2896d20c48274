"""The W&B summary's `val/best_*` are the figures of the epoch best.ckpt holds (the best by
`--checkpoint.monitor`), the epoch `test` scores, not each metric's maximum over epochs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from conftest import run_main, tiny_config, write_config

import lightlm.callbacks.wandb_report as wandb_report
from lightlm.metrics import ACCURACY_METRICS


@pytest.mark.parametrize(
    "monitor, mode", [("val/ndcg@10", "max"), ("val/loss", "min")], ids=["ndcg@10", "val-loss"]
)
def test_best_summaries_are_the_best_epochs_figures(in_tmp, monkeypatch, monitor, mode):
    summary: dict[str, float] = {}
    run = SimpleNamespace(summary=summary, config=SimpleNamespace(update=lambda *a, **k: None))
    monkeypatch.setattr(wandb_report, "wandb_logger", lambda trainer: SimpleNamespace(experiment=run))
    epochs: list[dict[str, float]] = []  # every epoch's validation figures, as logged
    report = wandb_report.WandbReport.on_validation_end

    def record(self, trainer, module):
        if not trainer.sanity_checking:
            epochs.append({k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val/")})
        report(self, trainer, module)

    monkeypatch.setattr(wandb_report.WandbReport, "on_validation_end", record)
    cfg = tiny_config(trainer={"max_epochs": 4}, checkpoint={"every_n_train_steps": None})
    config = write_config(in_tmp / "run.yaml", cfg)
    code, err = run_main(
        "fit", "--config", str(config), "--checkpoint.monitor", monitor, "--checkpoint.mode", mode
    )
    assert code == 0, err[-3000:]
    assert len(epochs) == 4

    scores = [e[monitor] for e in epochs]
    best = scores.index(max(scores) if mode == "max" else min(scores))  # the first best, as ModelCheckpoint
    assert torch.load(in_tmp / "ck" / "best.ckpt", weights_only=True)["epoch"] == best
    names = [k for k in epochs[best] if "@" in k]
    assert sorted(names) == sorted(f"val/{m}" for m in ACCURACY_METRICS)  # recall, ndcg, mrr
    best_summary = {k: v for k, v in summary.items() if k.startswith("val/best_")}
    assert best_summary == {**{f"val/best_{k[4:]}": epochs[best][k] for k in names}, "val/best_epoch": best}
    # This run tells the two readings apart: some metric peaks in another epoch than the best.
    assert any(max(e[k] for e in epochs) > epochs[best][k] for k in names)
