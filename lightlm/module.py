"""The LightningModule: trains the encoder-decoder on item codes, evaluates by constrained generation.

The model is built in `setup()` because its vocabulary comes from the fitted index, which the
datamodule owns. The index travels in every checkpoint and is checked when a checkpoint is
loaded, so numbers are never reported from a model paired with the wrong codes.
"""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F

from datamodules.errors import ConfigError, IndexMismatchError
from indexers.base import ItemIndex
from lightlm.generation import constrained_beam_search
from lightlm.metrics import KS, TopKMetrics
from lightlm.model import EncoderDecoder, model_config
from lightlm.tokens import BOS, PAD, TokenLayout
from lightlm.trie import PrefixTrie


class GenerativeRecommender(L.LightningModule):
    """Deep-and-narrow generative recommender.

    Args:
        preset: model shape: `lightlm` (6+6, 512, d_ff 16), `t5-small` (d_ff 2048), `small`, `tiny`.
        n_enc_layers: overrides the preset's encoder depth.
        n_dec_layers: overrides the preset's decoder depth.
        d_model: overrides the preset's width.
        n_heads: overrides the preset's number of heads.
        d_ff: overrides the preset's feed-forward width.
        dropout: overrides the preset's dropout (0.1).
        lr: AdamW peak learning rate.
        weight_decay: AdamW weight decay.
        eps: AdamW epsilon.
        warmup_ratio: share of steps with a linear warmup, then linear decay to 0.
        label_smoothing: cross-entropy label smoothing on code tokens.
        num_beams: beams of the constrained beam search.
        top_k: items recommended per user (metrics need at least 20).
        exclude_train_items: never recommend an item the user already has in their input history
            (default off, as in the published numbers).
    """

    def __init__(
        self,
        preset: str = "small",
        n_enc_layers: int | None = None,
        n_dec_layers: int | None = None,
        d_model: int | None = None,
        n_heads: int | None = None,
        d_ff: int | None = None,
        dropout: float | None = None,
        lr: float = 1e-3,
        weight_decay: float = 0.01,
        eps: float = 1e-6,
        warmup_ratio: float = 0.05,
        label_smoothing: float = 0.0,
        num_beams: int = 20,
        top_k: int = 20,
        exclude_train_items: bool = False,
    ) -> None:
        super().__init__()
        if lr <= 0:
            raise ConfigError(f"--model.lr must be positive, got {lr}")
        if top_k < max(KS):
            raise ConfigError(f"--model.top_k must be at least {max(KS)} for the metrics, got {top_k}")
        if num_beams < top_k:
            raise ConfigError(f"--model.num_beams ({num_beams}) must be at least --model.top_k ({top_k})")
        if not 0.0 <= warmup_ratio < 1.0:
            raise ConfigError(f"--model.warmup_ratio must be in [0, 1), got {warmup_ratio}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ConfigError(f"--model.label_smoothing must be in [0, 1), got {label_smoothing}")
        self.save_hyperparameters()
        self.shape = dict(
            n_enc_layers=n_enc_layers, n_dec_layers=n_dec_layers, d_model=d_model,
            n_heads=n_heads, d_ff=d_ff, dropout=dropout,
        )
        model_config(preset, **self.shape)  # fail on an impossible shape now, not after indexing
        self.model: EncoderDecoder | None = None
        self.index: ItemIndex | None = None
        self.val_metrics = TopKMetrics()
        self.test_metrics = TopKMetrics()
        self.test_popularity = TopKMetrics()

    # ---- building from the data -------------------------------------------------------------
    def setup(self, stage: str) -> None:
        if self.model is not None:
            return
        dm = self.trainer.datamodule
        self.attach(dm.index, dm.split, dm.history_len)

    def attach(self, index: ItemIndex, split, history_len: int) -> None:
        """Build the network and code tables for `index` (also used without a Trainer)."""
        self.index = index
        layout = TokenLayout.from_index(index)
        self.register_buffer("item_tokens", layout.item_tokens, persistent=False)
        self.register_buffer("user_tokens", layout.user_tokens, persistent=False)
        src_len = layout.user_tokens.shape[1] + history_len * layout.code_len
        cfg = model_config(
            self.hparams.preset, **self.shape, max_src_len=max(src_len, 1), max_tgt_len=layout.code_len
        )
        self.model = EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens)
        self.trie = PrefixTrie(layout.item_tokens, layout.local_index)
        self.register_buffer("local_index", layout.local_index, persistent=False)
        counts = torch.bincount(torch.as_tensor(split.train.items), minlength=index.n_items)
        self.register_buffer("popular", counts.topk(self.hparams.top_k).indices, persistent=False)
        # Sorted keys user * n_items + item of what each user has read, for `exclude_train_items`.
        self.history_keys = {
            stage: self._history_keys(split.history(stage)) for stage in ("validate", "test")
        }
        self.history_keys["predict"] = self._history_keys(split.data.sequences)

    def _history_keys(self, seqs) -> torch.Tensor:
        keys = torch.as_tensor(seqs.users()) * seqs.n_items + torch.as_tensor(seqs.items)
        return keys.sort().values

    # ---- checkpoints carry their index -----------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["lightlm_index"] = self.index.to_dict()

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

    # ---- model steps ----------------------------------------------------------------------
    def encoder_input(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """User tokens, then the code tokens of each history item (PAD where there is none)."""
        src = self.user_tokens[batch["user"]]
        hist = batch["history"]
        if hist.shape[1]:
            codes = self.item_tokens[hist.clamp(min=0)]  # (B, H, L)
            codes = codes.masked_fill((hist < 0)[..., None], PAD)
            src = torch.cat([src, codes.flatten(1)], dim=1)
        return src

    def model_step(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        tgt = self.item_tokens[batch["target"]]  # (B, L)
        tgt_in = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], dim=1)
        logits = self.model(self.encoder_input(batch), tgt_in)  # (B, L, W) over each step's tokens
        return F.cross_entropy(
            logits.flatten(0, 1).float(),
            self.local_index[tgt].flatten(),
            label_smoothing=self.hparams.label_smoothing,
        )

    def recommend(self, batch: dict[str, torch.Tensor], stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        exclude = None
        if self.hparams.exclude_train_items:
            exclude = (self.history_keys[stage].to(self.device), batch["user"], self.index.n_items)
        return constrained_beam_search(
            self.model,
            self.encoder_input(batch),
            self.trie.to(self.device),
            num_beams=self.hparams.num_beams,
            top_k=self.hparams.top_k,
            exclude=exclude,
        )

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self.model_step(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["user"]))
        return loss

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        n = len(batch["user"])
        self.log("val/loss", self.model_step(batch), batch_size=n, sync_dist=True)
        items, _ = self.recommend(batch, "validate")
        self.val_metrics.update(items, batch["target"])

    def on_validation_epoch_end(self) -> None:
        self.log_dict({f"val/{k}": v for k, v in self.val_metrics.compute().items()}, prog_bar=False)
        self.val_metrics.reset()

    def test_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        items, _ = self.recommend(batch, "test")
        self.test_metrics.update(items, batch["target"])
        self.test_popularity.update(self.popular.expand(len(items), -1), batch["target"])

    def on_test_epoch_end(self) -> None:
        metrics = {f"test/{k}": v for k, v in self.test_metrics.compute().items()}
        metrics |= {f"test/popularity/{k}": v for k, v in self.test_popularity.compute().items()}
        self.log_dict(metrics)
        self.test_metrics.reset()
        self.test_popularity.reset()

    def predict_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> dict[str, torch.Tensor]:
        items, scores = self.recommend(batch, "predict")
        return {"user": batch["user"], "items": items, "scores": scores}

    def configure_optimizers(self):
        hp = self.hparams
        opt = torch.optim.AdamW(self.parameters(), lr=hp.lr, eps=hp.eps, weight_decay=hp.weight_decay)
        total = max(1, int(self.trainer.estimated_stepping_batches))
        warmup = int(hp.warmup_ratio * total)

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total - step) / max(1, total - warmup))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
