"""What every recommender of the kit shares: evaluation, the popularity baseline, checkpoints.

Subclasses (the generative model, SASRec) implement `build`, `model_step` and `recommend`; the
metrics, their names (`val/ndcg@10`, `test/recall@20`, ...), the popularity figures logged beside
them and the index check on checkpoint load are the same for all, so their numbers compare.
"""

from __future__ import annotations

from abc import abstractmethod

import lightning as L
import torch

from datamodules.item_index import ItemIndex
from datamodules.split import LeaveOneOut
from kitbase.errors import ConfigError, IndexMismatchError
from lightlm.decoding.exclusion import history_keys
from lightlm.metrics import ACCURACY_METRICS, KS, CatalogueMetrics, TopKMetrics
from lightlm.optimization import OptimizerSettings

Batch = dict[str, torch.Tensor]

# What picks the best epoch unless `--checkpoint.monitor` says otherwise: the CLI's default, the
# ablation's checkpoints, the W&B summary's `val/best_*` that the sweeps in conf/sweeps maximise.
DEFAULT_MONITOR = "val/ndcg@10"

# What `--checkpoint.monitor` can name: every figure a Recommender logs during `fit`.
MONITORED_METRICS = (
    "val/loss",
    "train/loss",
    *(f"val/{name}" for name in ACCURACY_METRICS),
    "epoch",
    "step",
)


class Recommender(L.LightningModule):
    """Base LightningModule: a subclass turns a batch of users into ranked item lists.

    Args:
        optimizer: how `fit` optimises it (a subclass takes the settings as its own `lr`,
            `weight_decay`, `eps` and `warmup_ratio` arguments, `lightlm.optimization`).
        top_k: items recommended per user (the metrics need at least 20).
        exclude_train_items: never recommend an item the user already has in their input
            history (default off, as in the published numbers).
    """

    def __init__(
        self,
        optimizer: OptimizerSettings,
        top_k: int = 20,
        exclude_train_items: bool = False,
    ) -> None:
        super().__init__()
        if top_k < max(KS):
            raise ConfigError(f"--model.top_k must be at least {max(KS)} for the metrics, got {top_k}")
        self.optimizer_settings = optimizer
        self.index: ItemIndex | None = None
        self.val_metrics = TopKMetrics()
        self.test_metrics = TopKMetrics()
        self.test_popularity = TopKMetrics()

    # ---- building from the data -------------------------------------------------------------
    def setup(self, stage: str) -> None:
        if self.index is not None:
            return
        dm = self.trainer.datamodule
        self.check_data(dm)
        self.attach(dm.index, dm.split, dm.history_len)

    def check_data(self, dm) -> None:
        """Refuse a datamodule configuration this model cannot train on, before any data is read
        (the CLI calls it first thing, so a bad combination leaves no index or checkpoint behind)."""

    def check_fit(self) -> None:
        """Refuse what only training reads (a file it needs), before any data is read (`lightlm fit`)."""

    def attach(self, index: ItemIndex, split: LeaveOneOut, history_len: int) -> None:
        """Build the network and lookup tables for this data (also usable without a Trainer)."""
        if index.n_items < self.hparams.top_k:
            raise ConfigError(
                f"the catalogue has {index.n_items} items, fewer than --model.top_k ({self.hparams.top_k}): "
                f"every user's list must hold top_k distinct items and the metrics need {max(KS)}"
            )
        self.index = index
        counts = torch.bincount(torch.as_tensor(split.train.items), minlength=index.n_items)
        # What `lightlm.inference` needs to rebuild the model from the checkpoint alone: the input
        # length and the original ids (the index numbers users and items 0..n-1).
        self.data_info = {
            "history_len": int(history_len),
            "user_ids": split.data.user_ids.tolist(),
            "item_ids": split.data.item_ids.tolist(),
        }
        self.register_buffer("popular", counts.topk(self.hparams.top_k).indices, persistent=False)
        # Coverage, popularity and novelty of the lists, against training counts only.
        self.test_catalogue = CatalogueMetrics(counts)
        self.test_popularity_catalogue = CatalogueMetrics(counts)
        # Sorted keys user * n_items + item of what each user has read, for `exclude_train_items`.
        self.history_keys = {
            "validate": history_keys(split.history("validate")),
            "test": history_keys(split.history("test")),
            "predict": history_keys(split.data.sequences),
        }
        self.build(index, split, history_len)

    @abstractmethod
    def build(self, index: ItemIndex, split: LeaveOneOut, history_len: int) -> None:
        """Create the network now that the vocabulary and catalogue are known."""

    @abstractmethod
    def model_step(self, batch: Batch) -> torch.Tensor:
        """Training loss of a batch."""

    @abstractmethod
    def recommend(self, batch: Batch, stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, top_k) item indices best first (-1 pads) and their scores."""

    def excluded(self, batch: Batch, stage: str) -> tuple[torch.Tensor, torch.Tensor, int] | None:
        """(sorted history keys, users, n_items) when `exclude_train_items` is on, else None.

        A batch may carry its own `exclude` keys, `row * n_items + item` sorted, for histories
        given by a caller rather than read from the split (`lightlm.inference`).
        """
        if "exclude" in batch:
            rows = torch.arange(len(batch["user"]), device=self.device)
            return batch["exclude"].to(self.device), rows, self.index.n_items
        if not self.hparams.exclude_train_items:
            return None
        return self.history_keys[stage].to(self.device), batch["user"], self.index.n_items

    # ---- checkpoints carry their index -----------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["lightlm_index"] = self.index.to_dict()
        checkpoint["lightlm_class"] = f"{type(self).__module__}.{type(self).__qualname__}"
        if getattr(self, "data_info", None) is not None:
            checkpoint["lightlm_data"] = self.data_info
        # Dropout's random state, so that a run resumed from this checkpoint draws the same
        # masks as the uninterrupted run (plain tensors: loadable with weights_only=True).
        checkpoint["lightlm_rng"] = {
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        stored = checkpoint.get("lightlm_index")
        if stored is None:
            raise IndexMismatchError("the checkpoint carries no item index; it was not made by lightlm fit")
        saved = ItemIndex.from_dict(stored, source="checkpoint index")
        if self.index is not None and saved.content_hash() != self.index.content_hash():
            why = (
                "another dataset"
                if saved.data_fingerprint != self.index.data_fingerprint
                else "another index configuration"
            )
            raise IndexMismatchError(
                f"the checkpoint was trained on {why} (index {saved.indexer} {saved.content_hash()}, "
                f"data {saved.data_fingerprint}) than the one configured now (index "
                f"{self.index.indexer} {self.index.content_hash()}, data {self.index.data_fingerprint})"
            )
        self._rng_to_restore = checkpoint.get("lightlm_rng")

    def on_train_batch_start(self, batch: Batch, batch_idx: int) -> None:
        # Restored just before the first resumed step: anything that ran between loading and
        # now (model construction, a dataloader) must not shift the random stream.
        rng = getattr(self, "_rng_to_restore", None)
        if rng is not None:
            self._rng_to_restore = None
            torch.set_rng_state(rng["torch"])
            if rng["cuda"] and torch.cuda.is_available() and len(rng["cuda"]) == torch.cuda.device_count():
                torch.cuda.set_rng_state_all(rng["cuda"])

    # ---- Lightning steps --------------------------------------------------------------------
    def training_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        loss = self.model_step(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["user"]))
        return loss

    def validation_step(self, batch: Batch, batch_idx: int) -> dict[str, torch.Tensor]:
        """Returns the ranked items (B, top_k), for callbacks that keep per-user results."""
        n = len(batch["user"])
        self.log("val/loss", self.model_step(batch), batch_size=n, sync_dist=True)
        items, _ = self.recommend(batch, "validate")
        self.val_metrics.update(items, batch["target"])
        return {"items": items}

    def on_validation_epoch_end(self) -> None:
        self.log_dict({f"val/{k}": v for k, v in self.val_metrics.compute().items()})
        self.val_metrics.reset()

    def test_step(self, batch: Batch, batch_idx: int) -> dict[str, torch.Tensor]:
        """Returns the ranked items (B, top_k), for callbacks that keep per-user results."""
        items, _ = self.recommend(batch, "test")
        popular = self.popular.expand(len(items), -1)
        self.test_metrics.update(items, batch["target"])
        self.test_catalogue.update(items)
        self.test_popularity.update(popular, batch["target"])
        self.test_popularity_catalogue.update(popular)
        return {"items": items}

    def on_test_epoch_end(self) -> None:
        model = self.test_metrics.compute() | self.test_catalogue.compute()
        popularity = self.test_popularity.compute() | self.test_popularity_catalogue.compute()
        metrics = {f"test/{k}": v for k, v in model.items()}
        metrics |= {f"test/popularity/{k}": v for k, v in popularity.items()}
        self.log_dict(metrics)
        for metric in (self.test_metrics, self.test_catalogue, self.test_popularity,
                       self.test_popularity_catalogue):
            metric.reset()

    def predict_step(self, batch: Batch, batch_idx: int) -> dict[str, torch.Tensor]:
        items, scores = self.recommend(batch, "predict")
        return {"user": batch["user"], "items": items, "scores": scores}

    def configure_optimizers(self):
        # A fused AdamW unscales fp16 gradients itself, and Lightning then refuses gradient
        # clipping under a GradScaler (`16-mixed` on a GPU): with one, the unfused form.
        fused = getattr(self.trainer.precision_plugin, "scaler", None) is None
        return self.optimizer_settings.configure(self.parameters(), self.trainer.estimated_stepping_batches,
                                                 fused)
