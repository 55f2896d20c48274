"""Writes the metrics of `lightlm validate` / `lightlm test` to a JSON file scripts can read.

The file is written by rank 0 only, after the metrics were reduced over all ranks, to a
temporary file that is then renamed: a reader never sees half a result.
"""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.trainer.states import TrainerFn

from kitbase.files import write_atomic


class ResultsWriter(Callback):
    """Saves `{"stage", "checkpoint", "metrics": {name: value}}` after validate and test.

    Args:
        path: the JSON file; `{stage}` in it is replaced by `validate` or `test`. Default:
            `{stage}_metrics.json` beside the checkpoint directory (`--checkpoint.dirpath`).
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def output_path(self, trainer: L.Trainer, stage: str) -> Path:
        if self.path is not None:
            return Path(self.path.replace("{stage}", stage))
        ckpt = trainer.checkpoint_callback
        if ckpt is not None and getattr(ckpt, "dirpath", None):
            return Path(ckpt.dirpath).parent / f"{stage}_metrics.json"
        return Path(trainer.default_root_dir) / f"{stage}_metrics.json"

    def _write(self, trainer: L.Trainer, stage: str) -> None:
        if not trainer.is_global_zero:
            return
        prefix = "val/" if stage == "validate" else "test/"
        metrics = {
            k: float(v) for k, v in sorted(trainer.callback_metrics.items()) if k.startswith(prefix)
        }
        record = {"stage": stage, "checkpoint": trainer.ckpt_path, "metrics": metrics}
        write_atomic(self.output_path(trainer, stage), json.dumps(record, indent=2).encode())

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.state.fn == TrainerFn.VALIDATING:  # not the validation inside `fit`
            self._write(trainer, "validate")

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._write(trainer, "test")
