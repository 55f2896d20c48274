"""Where a run's time goes: training epochs, validation and test, timed apart.

    lightlm fit  --config conf/beauty.yaml --trainer.callbacks+=lightlm.callbacks.timing.StageTimer
    lightlm test --config conf/beauty.yaml --trainer.callbacks+=lightlm.callbacks.timing.StageTimer

prints, e.g., `timing: 10 training epochs 41.3 s (37,240 samples/s); validation 1 run 4.2 s
(5,320 users/s)` after fit and `timing: test 22,363 users 3.9 s (5,734 users/s)` after test, and
writes the same figures to `timing.json` beside the checkpoint directory (or `path`). On a GPU the
device is synchronised at each boundary (a few times per epoch), so the figures are device time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback

from kitbase.files import write_atomic


class StageTimer(Callback):
    """Seconds spent training (validation inside an epoch excluded), validating and testing.

    Args:
        path: JSON file for the figures; default `timing.json` beside `--checkpoint.dirpath`.
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.seconds = {"train": 0.0, "validate": 0.0, "test": 0.0}
        self.counts = {"train": 0, "validate": 0, "test": 0}  # samples / users
        self.runs = {"train": 0, "validate": 0, "test": 0}  # epochs / loops
        self._epoch_start: float | None = None  # set while a training epoch runs
        self._stage_start = 0.0
        self._validation_in_epoch = 0.0

    @staticmethod
    def _now(module: L.LightningModule) -> float:
        if module.device.type == "cuda":
            torch.cuda.synchronize(module.device)
        return time.perf_counter()

    # Lightning runs the end-of-epoch validation inside the training epoch (before
    # `on_train_epoch_end`): its time is taken out of the epoch's.
    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._epoch_start, self._validation_in_epoch = self._now(pl_module), 0.0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.counts["train"] += len(batch["user"])

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if self._epoch_start is not None:
            epoch = self._now(pl_module) - self._epoch_start
            self.seconds["train"] += epoch - self._validation_in_epoch
            self.runs["train"] += 1
            self._epoch_start = None

    def on_validation_start(self, trainer, pl_module) -> None:
        self._stage_start = self._now(pl_module)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, *args) -> None:
        if not trainer.sanity_checking:
            self.counts["validate"] += len(batch["user"])

    def on_validation_end(self, trainer, pl_module) -> None:
        seconds = self._now(pl_module) - self._stage_start
        if self._epoch_start is not None:
            self._validation_in_epoch += seconds  # the sanity check too: it is not training
        if not trainer.sanity_checking:
            self.seconds["validate"] += seconds
            self.runs["validate"] += 1

    def on_test_epoch_start(self, trainer, pl_module) -> None:
        self._stage_start = self._now(pl_module)

    def on_test_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, *args) -> None:
        self.counts["test"] += len(batch["user"])

    def on_test_epoch_end(self, trainer, pl_module) -> None:
        self.seconds["test"] += self._now(pl_module) - self._stage_start
        self.runs["test"] += 1
        self._report(trainer, "test")

    def on_fit_end(self, trainer, pl_module) -> None:
        self._report(trainer, "fit")

    def summary(self) -> dict:
        def rate(stage: str) -> float:
            return self.counts[stage] / self.seconds[stage] if self.seconds[stage] else 0.0

        return {
            "train_epochs": self.runs["train"],
            "train_seconds": self.seconds["train"],
            "train_samples_per_s": rate("train"),
            "validation_runs": self.runs["validate"],
            "validation_seconds": self.seconds["validate"],
            "validation_users_per_s": rate("validate"),
            "test_users": self.counts["test"],
            "test_seconds": self.seconds["test"],
            "test_users_per_s": rate("test"),
        }

    def _report(self, trainer: L.Trainer, stage: str) -> None:
        if not trainer.is_global_zero:
            return
        s = self.summary()
        if stage == "fit":
            print(
                f"timing: {s['train_epochs']} training epochs {s['train_seconds']:.1f} s "
                f"({s['train_samples_per_s']:,.0f} samples/s); validation {s['validation_runs']} runs "
                f"{s['validation_seconds']:.1f} s ({s['validation_users_per_s']:,.0f} users/s)",
                flush=True,
            )
        else:
            print(
                f"timing: test {s['test_users']:,} users {s['test_seconds']:.1f} s "
                f"({s['test_users_per_s']:,.0f} users/s)",
                flush=True,
            )
        path = Path(self.path) if self.path else self._default_path(trainer)
        write_atomic(path, json.dumps({"stage": stage, **s}, indent=2).encode())

    @staticmethod
    def _default_path(trainer: L.Trainer) -> Path:
        ckpt = trainer.checkpoint_callback
        if ckpt is not None and getattr(ckpt, "dirpath", None):
            return Path(ckpt.dirpath).parent / "timing.json"
        return Path(trainer.default_root_dir) / "timing.json"
