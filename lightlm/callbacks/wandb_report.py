"""What a run reports to its logger beyond Lightning's metrics: the resolved config, the index
statistics, the best validation score and a table of sample recommendations.

Nothing here opens a connection itself: every call goes through the run that `WandbLogger`
opened, whose mode (offline by default, see `lightlm.cli.app.configure_wandb_env`) decides whether
anything leaves the machine. Both callbacks do nothing without a logger (`--trainer.logger false`).
"""

from __future__ import annotations

import json

import lightning as L
import numpy as np
import torch
import yaml
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.cli import SaveConfigCallback
from lightning.pytorch.loggers import WandbLogger

from indexers.stats import index_statistics
from lightlm.metrics import ACCURACY_METRICS

SAMPLE_COLUMNS = ["user", "history", "recommended", "held_out", "hit"]


class LoggedConfig(SaveConfigCallback):
    """LightningCLI's config.yaml in the log dir, plus the full resolved config as the logger's
    hyperparameters (nested: `model.lr`, `data.indexer.class_path`, ...), so a W&B run and a
    sweep's parallel-coordinates plot show every setting, defaults included."""

    def save_config(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if not trainer.loggers:
            return
        config = yaml.safe_load(self.parser.dump(self.config, skip_none=False))
        config.pop("config", None)  # the paths of the YAML files, not settings
        for logger in trainer.loggers:
            logger.log_hyperparams(config)


class WandbReport(Callback):
    """Index statistics into the W&B config, the best epoch's `val/*` into the summary, and after
    `test` a `wandb.Table` of sample recommendations in the dataset's original ids.

    The best epoch is the one best.ckpt holds: the first with the best `--checkpoint.monitor`
    (ModelCheckpoint replaces its file only on a strict improvement), or the latest without a
    monitor. `val/best_*` are that epoch's figures, `val/best_epoch` its 0-based index.

    Args:
        n_users: users in the sample table (evenly spread over the user list, so deterministic).
        history_items: most recent history items shown per user.
        top: recommended items shown per user.
    """

    def __init__(self, n_users: int = 20, history_items: int = 10, top: int = 10) -> None:
        self.n_users, self.history_items, self.top = n_users, history_items, top
        self.best: dict[str, float] = {}
        self.best_score: float | None = None

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        logger = wandb_logger(trainer)
        dm = trainer.datamodule
        if logger is None or getattr(dm, "index", None) is None:
            return
        stats = index_summary(dm)
        logger.experiment.config.update({"index_stats": stats}, allow_val_change=True)
        logger.experiment.summary.update(flatten(stats, "index/"))

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        logger = wandb_logger(trainer)
        if logger is None or trainer.sanity_checking:
            return
        # The best epoch is what `test` reports (ModelCheckpoint); sweeps optimise these.
        metrics = trainer.callback_metrics
        ckpt = trainer.checkpoint_callback
        monitor = getattr(ckpt, "monitor", None)
        if monitor is not None:
            if monitor not in metrics:
                return
            score, best = float(metrics[monitor]), self.best_score
            if best is not None and not (score < best if ckpt.mode == "min" else score > best):
                return
            self.best_score = score
        self.best = {
            f"val/best_{name}": float(metrics[f"val/{name}"])
            for name in ACCURACY_METRICS
            if f"val/{name}" in metrics
        }
        self.best["val/best_epoch"] = trainer.current_epoch
        logger.experiment.summary.update(self.best)

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        logger = wandb_logger(trainer)
        if logger is None or getattr(trainer.datamodule, "split", None) is None:
            return
        rows = sample_recommendations(
            pl_module, trainer.datamodule, self.n_users, self.history_items, self.top
        )
        logger.log_table(key="test/sample_recommendations", columns=SAMPLE_COLUMNS, data=rows)


def wandb_logger(trainer: L.Trainer) -> WandbLogger | None:
    """The trainer's WandbLogger on rank 0, else None."""
    if not trainer.is_global_zero:
        return None
    return next((lg for lg in trainer.loggers if isinstance(lg, WandbLogger)), None)


def index_summary(dm) -> dict:
    """`indexers.stats.index_statistics` of the datamodule's index plus the time indexing took."""

    stats = index_statistics(dm.index, dm.split.train)
    stats["index_seconds"] = round(float(getattr(dm, "index_seconds", 0.0)), 3)
    # JSON round trip: integer dict keys (code-length histogram) become strings, as W&B wants.
    return json.loads(json.dumps(stats, default=str))


def flatten(d: dict, prefix: str = "") -> dict:
    """Numeric leaves of a nested dict as {'prefix/a/b': value}; lists of dicts by position."""
    out: dict = {}
    items = d.items() if isinstance(d, dict) else enumerate(d)
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, (dict, list)):
            out |= flatten(value, f"{name}/")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value
    return out


@torch.no_grad()
def sample_recommendations(module, dm, n_users: int = 20, history_items: int = 10, top: int = 10) -> list:
    """Rows [user, history, recommended, held_out, hit] for `n_users` test users, original ids.

    `history` is the user's most recent `history_items` before the test item, oldest first;
    `recommended` the top `top` items, best first, space separated.
    """
    ds = dm.dataset("test")
    picks = np.unique(np.linspace(0, len(ds) - 1, num=min(n_users, len(ds))).round().astype(int))
    batch = {k: v.to(module.device) for k, v in ds.__getitems__(picks.tolist()).items()}
    was_training = module.training
    module.eval()
    try:
        items, _ = module.recommend(batch, "test")
    finally:
        module.train(was_training)
    data, history = dm.split.data, dm.split.history("test")
    rows = []
    users, targets = batch["user"].tolist(), batch["target"].tolist()
    for user, target, ranked in zip(users, targets, items.cpu().tolist(), strict=True):
        ranked = [i for i in ranked if i >= 0][:top]
        recent = history.sequence(user)[-history_items:]
        rows.append(
            [
                str(data.user_ids[user]),
                " ".join(str(i) for i in data.item_ids[recent]),
                " ".join(str(data.item_ids[i]) for i in ranked),
                str(data.item_ids[target]),
                target in ranked,
            ]
        )
    return rows
