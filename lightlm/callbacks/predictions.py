"""Writes every user's top-K recommendations, in the dataset's original ids, after `predict`.

With `--predictions.histories FILE`, `lightlm predict` ranks the users and histories of that file
instead of the training data's (see `lightlm.inference` and `LightLMCLI.predict`).
"""

from __future__ import annotations

import os
from pathlib import Path

import lightning as L
import polars as pl
import torch
from lightning.pytorch.callbacks import BasePredictionWriter

from kitbase.errors import ConfigError


class RecommendationWriter(BasePredictionWriter):
    """Collects predictions and writes one row per (user, rank) to CSV or Parquet.

    Args:
        path: output file; `.csv` or `.parquet`. Written to a temporary file then renamed, so
            an interrupted run never leaves a half-written file.
        histories: rank these users' histories instead of the dataset's: a text file of
            `user item item ...` lines (oldest item first) or a CSV with `user,item` columns, one
            row per interaction in chronological order. Users unseen in training need a model
            trained on the sequential task.
    """

    def __init__(self, path: str = "runs/predictions.csv", histories: str | None = None) -> None:
        super().__init__(write_interval="epoch")
        if Path(path).suffix not in (".csv", ".parquet"):
            raise ConfigError(f"--predictions.path must end in .csv or .parquet, got {path!r}")
        self.path = Path(path)
        self.histories = histories

    def write_on_epoch_end(self, trainer: L.Trainer, pl_module, predictions, batch_indices) -> None:
        users = torch.cat([p["user"] for p in predictions])
        items = torch.cat([p["items"] for p in predictions])
        scores = torch.cat([p["scores"] for p in predictions])
        if trainer.world_size > 1:
            users, items, scores = (gather_unequal(trainer, t) for t in (users, items, scores))
        users, items, scores = users.cpu(), items.cpu(), scores.cpu()
        if trainer.global_rank != 0:
            return
        data = trainer.datamodule.split.data
        K = items.shape[1]
        rows = items.flatten()
        keep = rows >= 0
        frame = pl.DataFrame(
            {
                "user": data.user_ids[users.repeat_interleave(K)[keep].numpy()],
                "rank": torch.arange(1, K + 1).repeat(len(users))[keep].numpy(),
                "item": data.item_ids[rows[keep].numpy()],
                "score": scores.flatten()[keep].numpy(),
            }
        ).sort(["user", "rank"])
        self.write(frame, len(users))

    def write(self, frame: pl.DataFrame, n_users: int) -> None:
        """Write `frame` (user, rank, item, score rows) atomically to `path`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            if self.path.suffix == ".parquet":
                frame.write_parquet(tmp)
            else:
                frame.write_csv(tmp)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        print(f"wrote {len(frame)} recommendations for {n_users} users to {self.path}")


def gather_unequal(trainer: L.Trainer, t: torch.Tensor) -> torch.Tensor:
    """Concatenate every rank's rows of `t`, in rank order, when ranks hold different counts.

    Each user is predicted on exactly one rank (`UnrepeatedDistributedSampler`), so shards
    differ in length; `all_gather` needs equal shapes, hence pad to the longest, then trim.
    """
    strategy = trainer.strategy
    t = t.to(strategy.root_device)
    sizes = strategy.all_gather(torch.tensor(len(t), device=t.device)).flatten().tolist()
    padded = torch.cat([t, t.new_zeros((max(sizes) - len(t), *t.shape[1:]))])
    gathered = strategy.all_gather(padded)  # (world, max(sizes), ...)
    return torch.cat([gathered[rank, :n] for rank, n in enumerate(sizes)])
