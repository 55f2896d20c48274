"""Writes the metrics of `lightlm validate` / `lightlm test` to a JSON file scripts can read, and,
on request, every user's rank of their held-out item, so two runs can be compared user by user
(`lightlm compare`, `lightlm.comparison`).

The files are written by rank 0 only, after the metrics were reduced (and the per-user rows
gathered) over all ranks, to a temporary file that is then renamed: a reader never sees half a
result.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import lightning as L
import numpy as np
import polars as pl
import torch
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.trainer.states import TrainerFn

from kitbase.errors import ConfigError
from kitbase.files import write_atomic
from lightlm.callbacks.predictions import gather_unequal
from lightlm.comparison import RANK_COLUMNS, STRATA_COLUMNS
from lightlm.metrics import target_ranks


class ResultsWriter(Callback):
    """Saves `{"stage", "checkpoint", "metrics": {name: value}}` after validate and test.

    Args:
        path: the JSON file; `{stage}` in it is replaced by `validate` or `test`. Default:
            `{stage}_metrics.json` beside the checkpoint directory (`--checkpoint.dirpath`).
        per_user: also write one row per evaluated user to this `.csv` or `.parquet` file
            (`{stage}` replaced as in `path`): `user` and `item` (the held-out item), both in the
            dataset's original ids, `rank` (1-based rank of the item in the user's recommended
            list, empty where the list misses it) and `list_len` (the list's length, `top_k`).
            Every metric of the JSON is an average of a function of `rank`, so the file holds
            them all, per user. Off by default.
    """

    def __init__(self, path: str | None = None, per_user: str | None = None) -> None:
        if per_user is not None and Path(per_user).suffix not in (".csv", ".parquet"):
            raise ConfigError(f"--results.per_user must end in .csv or .parquet, got {per_user!r}")
        self.path = path
        self.per_user = per_user
        self._rows: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        self._list_len = 0

    def output_path(self, trainer: L.Trainer, stage: str) -> Path:
        if self.path is not None:
            return Path(self.path.replace("{stage}", stage))
        ckpt = trainer.checkpoint_callback
        if ckpt is not None and getattr(ckpt, "dirpath", None):
            return Path(ckpt.dirpath).parent / f"{stage}_metrics.json"
        return Path(trainer.default_root_dir) / f"{stage}_metrics.json"

    def _keep(self, outputs, batch) -> None:
        """Keep the batch's (users, held-out items, ranks), each (B,)."""
        if self.per_user is None or not isinstance(outputs, dict) or "items" not in outputs:
            return
        items = outputs["items"]
        self._list_len = items.shape[1]
        ranks = target_ranks(items, batch["target"])
        self._rows.append((batch["user"].detach().cpu(), batch["target"].detach().cpu(), ranks.cpu()))

    def _per_user_frame(self, trainer: L.Trainer, stage: str) -> pl.DataFrame | None:
        """Every rank's kept rows, on rank 0 (None elsewhere), sorted by user."""
        # A rank that evaluated no user still joins the gather, with empty tensors.
        empty = torch.empty(0, dtype=torch.long)
        users, items, ranks = (torch.cat([empty, *(r[i] for r in self._rows)]) for i in range(3))
        self._rows = []
        if trainer.world_size > 1:
            users, items, ranks = (gather_unequal(trainer, t).cpu() for t in (users, items, ranks))
        if not trainer.is_global_zero:
            return None
        split = trainer.datamodule.split
        users, items = users.numpy(), items.numpy()
        train_counts = np.bincount(split.train.items, minlength=split.n_items)
        K = self._list_len
        frame = pl.DataFrame(
            {
                "user": split.data.user_ids[users],
                "item": split.data.item_ids[items],
                "rank": ranks.numpy().astype("int64"),  # K + 1 where the list misses the item
                "item_train_count": train_counts[items].astype("int64"),
                "history_len": split.history(stage).lengths[users].astype("int64"),
            }
        )
        listed = pl.when(pl.col("rank") <= K).then(pl.col("rank"))  # null otherwise
        frame = frame.with_columns(listed.alias("rank"), pl.lit(K, dtype=pl.Int64).alias("list_len"))
        return frame.select(*RANK_COLUMNS, *STRATA_COLUMNS).sort("user")

    def _write(self, trainer: L.Trainer, stage: str) -> None:
        frame = self._per_user_frame(trainer, stage) if self.per_user is not None else None
        if not trainer.is_global_zero:
            return
        prefix = "val/" if stage == "validate" else "test/"
        metrics = {k: float(v) for k, v in sorted(trainer.callback_metrics.items()) if k.startswith(prefix)}
        record = {"stage": stage, "checkpoint": trainer.ckpt_path, "metrics": metrics}
        write_atomic(self.output_path(trainer, stage), json.dumps(record, indent=2).encode())
        if frame is not None:
            path = Path(self.per_user.replace("{stage}", stage))
            buffer = io.BytesIO()
            if path.suffix == ".parquet":
                frame.write_parquet(buffer)
            else:
                frame.write_csv(buffer)
            write_atomic(path, buffer.getvalue())
            print(f"wrote the held-out item's rank for {len(frame)} users to {path}")

    def on_validation_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._rows = []

    def on_test_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._rows = []

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0
    ) -> None:
        if trainer.state.fn == TrainerFn.VALIDATING:  # not the validation inside `fit`
            self._keep(outputs, batch)

    def on_test_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0) -> None:
        self._keep(outputs, batch)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.state.fn == TrainerFn.VALIDATING:
            self._write(trainer, "validate")

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._write(trainer, "test")
