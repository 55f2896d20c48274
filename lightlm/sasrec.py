"""SASRec trained with cross-entropy over all items: the strong classic baseline (docs/method.md section 10).

Causal self-attention over the user's recent items, learned positions, item embeddings tied to the
output layer, and a full softmax over the catalogue. It shares the datamodule, the split and the
metrics with the generative model (it is a `Recommender`), so the two are compared on the same
users and targets. It reads the datamodule's sequential samples (`--data.task sequential`): every
training prefix predicts its next item, and the output at the newest position is the user's state.

    lightlm fit --config conf/beauty-sasrec.yaml
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import torch
import torch.nn.functional as F
from torch import nn

from datamodules.item_index import ItemIndex
from datamodules.split import LeaveOneOut
from indexers.item_vectors import ID_COLUMN, VECTOR_COLUMN
from kitbase.errors import ConfigError
from kitbase.files import write_atomic
from lightlm.checkpoints import restore_recommender
from lightlm.decoding.exclusion import history_pairs
from lightlm.distillation import soft_cross_entropy
from lightlm.optimization import OptimizerSettings, document_optimizer_args
from lightlm.recommender import Batch, Recommender


class CausalBlock(nn.Module):
    """Pre-norm Transformer block: masked self-attention, then a feed-forward layer."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True)
        self.ff = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model)
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, T, C); mask (B * heads, T, T) bool, True = may not attend."""
        h = self.norm1(x)
        x = x + self.drop(self.attn(h, h, h, attn_mask=mask, need_weights=False)[0])
        return x + self.drop(self.ff(self.norm2(x)))


@document_optimizer_args
class SASRec(Recommender):
    """Self-attentive sequential recommendation with a full softmax over all items.

    Args:
        d_model: item embedding and residual width.
        n_layers: self-attention blocks.
        n_heads: attention heads; d_model must divide by it.
        d_ff: feed-forward width.
        dropout: dropout on embeddings, attention and residual branches.
        max_len: newest history items read (the datamodule's `history_len` caps it too).
        top_k: items recommended per user (the metrics need at least 20).
        exclude_train_items: never recommend an item already in the user's history (its score is
            set to -inf before the top-k; default off, as in the published numbers).
        export_embeddings: at the end of `fit`, write the item embedding table of the final
            weights (never the best-validation checkpoint's, which validation items chose) to
            this Parquet file, keyed by the original item ids: the input of
            `--data.indexer.embeddings` for codes quantised from SASRec (TIGER-SAS style).
        distill_from: a `lightlm fit` checkpoint of SASRec-CE on the same data (refused otherwise)
            to distil from, in training only (self-distillation, "born-again" when the teacher has
            this model's shape): each target's cross-entropy is mixed with the cross-entropy of
            the teacher's catalogue softmax. The generative model's `distill_from` takes the same
            teachers, so the two can be given the same teacher and compared. Validation, test and
            the saved checkpoint never read the teacher.
        distill_weight: the teacher's share of the loss with `distill_from` (the rest is the
            target's own cross-entropy).
    """

    def __init__(
        self,
        d_model: int = 64,
        n_layers: int = 2,
        n_heads: int = 1,
        d_ff: int = 256,
        dropout: float = 0.3,
        max_len: int = 50,
        lr: float = OptimizerSettings.lr,
        weight_decay: float = OptimizerSettings.weight_decay,
        eps: float = OptimizerSettings.eps,
        warmup_ratio: float = OptimizerSettings.warmup_ratio,
        top_k: int = 20,
        exclude_train_items: bool = False,
        export_embeddings: str | None = None,
        distill_from: str | None = None,
        distill_weight: float = 0.5,
    ) -> None:
        super().__init__(OptimizerSettings(lr, weight_decay, eps, warmup_ratio), top_k, exclude_train_items)
        if export_embeddings is not None and Path(export_embeddings).suffix.lower() != ".parquet":
            raise ConfigError(f"--model.export_embeddings {export_embeddings}: must end in .parquet")
        for name, value in (("d_model", d_model), ("n_layers", n_layers), ("n_heads", n_heads),
                            ("d_ff", d_ff), ("max_len", max_len)):
            if value < 1:
                raise ConfigError(f"--model.{name} must be at least 1, got {value}")
        if d_model % n_heads:
            raise ConfigError(f"--model.d_model ({d_model}) must be divisible by --model.n_heads ({n_heads})")
        if not 0.0 <= dropout < 1.0:
            raise ConfigError(f"--model.dropout must be in [0, 1), got {dropout}")
        if not 0.0 < distill_weight <= 1.0:
            raise ConfigError(f"--model.distill_weight must be in (0, 1], got {distill_weight}")
        self.save_hyperparameters()
        self.item_embed: nn.Embedding | None = None
        self._teacher: list = []  # a plain list, so the teacher is no submodule: never saved nor optimised

    def check_data(self, dm) -> None:
        _check_history(dm.history_len)

    def check_fit(self) -> None:
        teacher = self.hparams.distill_from
        if teacher and not Path(teacher).is_file():
            raise ConfigError(f"--model.distill_from {teacher}: no such checkpoint (train the teacher first)")

    def setup(self, stage: str) -> None:
        super().setup(stage)
        if stage == "fit" and self.hparams.distill_from and not self._teacher:
            dm = self.trainer.datamodule
            self._teacher.append(load_teacher(self.hparams.distill_from, dm.split, dm.history_len))

    def build(self, index: ItemIndex, split: LeaveOneOut, history_len: int) -> None:
        _check_history(history_len)
        hp = self.hparams
        self.n_items = index.n_items
        self.item_ids = None if split is None else split.data.item_ids  # None: built from a checkpoint
        self.seq_len = min(hp.max_len, history_len)
        # Row n_items is padding: a zero vector that never receives gradient nor appears in the output.
        self.item_embed = nn.Embedding(index.n_items + 1, hp.d_model, padding_idx=index.n_items)
        self.pos_embed = nn.Embedding(self.seq_len, hp.d_model)
        self.blocks = nn.ModuleList(
            CausalBlock(hp.d_model, hp.n_heads, hp.d_ff, hp.dropout) for _ in range(hp.n_layers)
        )
        self.norm = nn.LayerNorm(hp.d_model)
        self.drop = nn.Dropout(hp.dropout)
        for module in (self.item_embed, self.pos_embed, self.blocks):
            for m in module.modules():
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, std=0.02)
        with torch.no_grad():
            self.item_embed.weight[index.n_items].zero_()

    def user_state(self, history: torch.Tensor) -> torch.Tensor:
        """history (B, H) item indices, left-padded with -1 -> (B, C) state after the newest item."""
        return self.states(history)[:, -1]

    def states(self, history: torch.Tensor) -> torch.Tensor:
        """(B, T, C) state after each of the newest T history columns.

        T is at most `max_len`, less when the oldest columns are padding in every row."""
        hist = history[:, -self.seq_len :]
        # Left padding: drop leading columns that are padding for every row of the batch.
        filled = (hist >= 0).any(0)
        start = int(filled.float().argmax()) if bool(filled.any()) else hist.shape[1] - 1
        hist = hist[:, start:]
        B, T = hist.shape
        pad = hist < 0
        items = hist.masked_fill(pad, self.n_items)
        # Positions count back from the newest item, so a position means the same at any length.
        pos = torch.arange(self.seq_len - T, self.seq_len, device=hist.device)
        x = self.drop(self.item_embed(items) + self.pos_embed(pos))  # (B, T, C)
        causal = torch.ones(T, T, dtype=torch.bool, device=hist.device).triu(1)
        # Block future and padded keys, but let every position see itself: a padded query row would
        # otherwise have no key at all and attention would return NaN.
        blocked = causal[None] | pad[:, None, :]
        blocked &= ~torch.eye(T, dtype=torch.bool, device=hist.device)[None]
        mask = blocked.repeat_interleave(self.hparams.n_heads, dim=0)  # (B * heads, T, T)
        for block in self.blocks:
            x = block(x, mask)
        return self.norm(x)

    def scores(self, batch: Batch) -> torch.Tensor:
        """(B, n_items) logits of every item, against the tied item embeddings."""
        return self.user_state(batch["history"]) @ self.item_embed.weight[: self.n_items].T

    def target_logits(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """(R, n_items) logits and items (R,) of the batch's R targets: one per sample, or with
        --data.train_windows every filled position of each window, in row-major (window,
        position) order."""
        if "targets" not in batch:
            return self.scores(batch), batch["target"]
        states = self.states(batch["history"])
        targets = batch["targets"][:, -states.shape[1] :]
        rows, t = (targets >= 0).nonzero(as_tuple=True)
        return states[rows, t] @ self.item_embed.weight[: self.n_items].T, targets[rows, t]

    def model_step(self, batch: Batch) -> torch.Tensor:
        logits, items = self.target_logits(batch)
        loss = F.cross_entropy(logits.float(), items)
        if not (self._teacher and self.training):
            return loss
        teacher_probs = self._teacher[0].to(self.device).teacher_logits(batch, items).softmax(-1)
        weight = self.hparams.distill_weight
        return (1 - weight) * loss + weight * soft_cross_entropy(logits, teacher_probs).mean()

    @torch.no_grad()
    def teacher_logits(self, batch: Batch, items: torch.Tensor) -> torch.Tensor:
        """As a teacher: float logits (R, n_items) of the batch's R targets, after checking that
        they are the student's own targets `items` (R,), in the same order."""
        logits, own = self.target_logits(batch)
        if not torch.equal(own, items):
            raise RuntimeError("the teacher's targets differ from the student's: check the batch layout")
        return logits.float()

    def item_vectors(self) -> torch.Tensor:
        """(n_items, d_model) the trained item embeddings, detached, in index order (no padding row)."""
        return self.item_embed.weight[: self.n_items].detach()

    def on_fit_end(self) -> None:
        path = self.hparams.export_embeddings
        if path is None or self.trainer.global_rank != 0:
            return
        vectors = self.item_vectors().float().cpu().numpy()
        frame = pl.DataFrame({ID_COLUMN: [str(i) for i in self.item_ids], VECTOR_COLUMN: list(vectors)})
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        write_atomic(Path(path).expanduser(), buffer.getvalue())

    @torch.no_grad()
    def recommend(self, batch: Batch, stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.scores(batch).float()
        excluded = self.excluded(batch, stage)
        if excluded is not None:
            rows, items = history_pairs(*excluded)
            scores[rows, items] = float("-inf")
        top, items = scores.topk(self.hparams.top_k, dim=1)
        return items.masked_fill(torch.isinf(top), -1), top


def load_teacher(path: str | Path, split: LeaveOneOut, history_len: int) -> SASRec:
    """The SASRec-CE in checkpoint `path`, frozen, in eval mode, for the data of `split`: the
    teacher of either model's `distill_from`.

    Refuses (one error naming `--model.distill_from` and `path`) a missing file, a checkpoint
    trained on other data, or another model class."""
    label = f"--model.distill_from {path}"
    if not Path(path).is_file():
        raise ConfigError(f"{label}: no such checkpoint")
    teacher = restore_recommender(path, split, history_len, label, "this run's data")
    if not isinstance(teacher, SASRec):
        raise ConfigError(f"{label}: holds a {type(teacher).__name__}, not a SASRec teacher")
    teacher.requires_grad_(False)
    return teacher


def _check_history(history_len: int) -> None:
    if history_len < 1:
        raise ConfigError(
            "SASRec reads the user's recent items: set --data.task sequential "
            "(and --data.history_len, e.g. 50); the direct task gives it no history"
        )
