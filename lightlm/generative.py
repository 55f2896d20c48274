"""The generative recommender: trains the encoder-decoder on item codes, ranks by constrained beam search.

The network is built in `build()` because its vocabulary comes from the fitted index, which the
datamodule owns; the index travels in every checkpoint (see `lightlm.recommender`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from datamodules.errors import ConfigError
from datamodules.split import LeaveOneOut
from indexers.base import ItemIndex
from lightlm.generation import constrained_beam_search
from lightlm.model import EncoderDecoder, model_config
from lightlm.recommender import Batch, Recommender
from lightlm.tokens import BOS, PAD, TokenLayout
from lightlm.trie import PrefixTrie

HISTORY_INPUTS = ("codes", "items", "items+ids")


class GenerativeRecommender(Recommender):
    """Deep-and-narrow generative recommender (LightLM).

    Args:
        preset: model shape: `lightlm` (6+6, 512, d_ff 16), `t5-small` (d_ff 2048), `small`, `tiny`.
        n_enc_layers: overrides the preset's encoder depth.
        n_dec_layers: overrides the preset's decoder depth.
        d_model: overrides the preset's width.
        n_heads: overrides the preset's number of heads.
        d_ff: overrides the preset's feed-forward width.
        dropout: overrides the preset's dropout (0.1).
        label_smoothing: cross-entropy label smoothing on code tokens.
        num_beams: beams of the constrained beam search.
        lr: AdamW peak learning rate.
        weight_decay: AdamW weight decay.
        eps: AdamW epsilon.
        warmup_ratio: share of steps with a linear warmup, then linear decay to 0.
        top_k: items recommended per user (the metrics need at least 20).
        exclude_train_items: never recommend an item already in the user's input history,
            enforced by the beam-search constraint (default off, as in the published numbers).
        compile: `torch.compile` the network's training forward (`nn.Module.compile`: checkpoints
            keep their keys); beam search calls the network's decode methods, which stay eager.
        history_input: how the sequential task's history items enter the encoder. `codes` (the
            paper's layout): every code token of every item is a position. `items`: one position
            per item, the sum of its code tokens' embeddings (a third of the input length for
            3-token codes, and the item is one unit for attention). `items+ids`: `items` plus a
            learned embedding of the item's id, which the model reads but never generates, so
            recommendations still come from the constrained code search.
        causal_encoder: the encoder reads the history left to right (each position sees only the
            items before it, as SASRec does). Required by `--data.train_windows true`, which
            then trains every position of a window at once: the code of the item after
            position t is decoded against the encoder outputs up to t.
        user_input: put the user's tokens before the history. The direct task needs them; with
            the sequential task, `false` reads the history alone (22k user tokens seen a few
            times each are mostly noise to learn).
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
        label_smoothing: float = 0.0,
        num_beams: int = 20,
        lr: float = 1e-3,
        weight_decay: float = 0.01,
        eps: float = 1e-6,
        warmup_ratio: float = 0.05,
        top_k: int = 20,
        exclude_train_items: bool = False,
        compile: bool = False,
        history_input: str = "codes",
        user_input: bool = True,
        causal_encoder: bool = False,
    ) -> None:
        super().__init__(lr, weight_decay, eps, warmup_ratio, top_k, exclude_train_items)
        if num_beams < top_k:
            raise ConfigError(f"--model.num_beams ({num_beams}) must be at least --model.top_k ({top_k})")
        if not 0.0 <= label_smoothing < 1.0:
            raise ConfigError(f"--model.label_smoothing must be in [0, 1), got {label_smoothing}")
        if history_input not in HISTORY_INPUTS:
            raise ConfigError(
                f"--model.history_input {history_input!r} is unknown; choose one of {list(HISTORY_INPUTS)}"
            )
        self.save_hyperparameters()
        self.shape = dict(
            n_enc_layers=n_enc_layers, n_dec_layers=n_dec_layers, d_model=d_model,
            n_heads=n_heads, d_ff=d_ff, dropout=dropout,
        )
        model_config(preset, **self.shape)  # fail on an impossible shape now, not after indexing
        self.model: EncoderDecoder | None = None

    def build(self, index: ItemIndex, split: LeaveOneOut, history_len: int) -> None:
        hp = self.hparams
        self._check_input(history_len)
        layout = TokenLayout.from_index(index)
        self.register_buffer("item_tokens", layout.item_tokens, persistent=False)
        self.register_buffer("user_tokens", layout.user_tokens, persistent=False)
        self.register_buffer("local_index", layout.local_index, persistent=False)
        vocab_size = layout.vocab_size
        if hp.history_input == "items+ids":  # input-only tokens after the code vocabulary
            ids = vocab_size + torch.arange(index.n_items)[:, None]
            self.register_buffer("history_tokens", torch.cat([layout.item_tokens, ids], 1), persistent=False)
            vocab_size += index.n_items
        else:
            self.register_buffer("history_tokens", layout.item_tokens, persistent=False)
        self.per_item = layout.code_len if hp.history_input == "codes" else 1  # positions per history item
        user_len = layout.user_tokens.shape[1] if hp.user_input else 0
        cfg = model_config(
            hp.preset, **self.shape, max_src_len=max(user_len + history_len * self.per_item, 1),
            max_tgt_len=layout.code_len, causal_encoder=hp.causal_encoder,
        )
        self.model = EncoderDecoder(cfg, vocab_size, layout.step_tokens)
        if self.hparams.compile:
            self.model.compile()
        self.trie = PrefixTrie(layout.item_tokens, layout.local_index)

    def encoder_input(self, batch: Batch) -> torch.Tensor:
        """User tokens (unless `user_input` is off), then the history items (PAD where none).

        (B, S) tokens for `history_input: codes`; (B, S, G) for the item-level inputs, where each
        user token is a position of its own (padded to G) and each history item one position.
        """
        hist = batch["history"]
        codes = self.history_tokens[hist.clamp(min=0)].masked_fill((hist < 0)[..., None], PAD)  # (B, H, G)
        parts = []
        if self.hparams.user_input:
            users = self.user_tokens[batch["user"]]  # (B, U)
            if self.hparams.history_input != "codes":
                users = F.pad(users[..., None], (0, codes.shape[2] - 1), value=PAD)
            parts.append(users)
        if hist.shape[1]:
            parts.append(codes.flatten(1) if self.hparams.history_input == "codes" else codes)
        return torch.cat(parts, dim=1)

    def check_data(self, dm) -> None:
        if getattr(dm, "train_windows", False) and not self.hparams.causal_encoder:
            raise ConfigError(
                "--data.train_windows true trains every history position at once, which needs "
                "--model.causal_encoder true (otherwise each position would see the items it predicts)"
            )
        self._check_input(dm.history_len)

    def _check_input(self, history_len: int) -> None:
        if not self.hparams.user_input and history_len < 1:
            raise ConfigError(
                "--model.user_input false leaves the model no input: use it with --data.task "
                "sequential and --data.history_len of at least 1"
            )

    def model_step(self, batch: Batch) -> torch.Tensor:
        if "targets" in batch:
            return self.window_step(batch)
        tgt = self.item_tokens[batch["target"]]  # (B, L)
        logits = self.model(self.encoder_input(batch), _teacher_input(tgt))  # (B, L, W) over each step's tokens
        return self.code_loss(logits, tgt)

    def window_step(self, batch: Batch) -> torch.Tensor:
        return self.code_loss(*self.window_logits(batch))

    def window_logits(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """Every target of each window at once: one encoder pass per window, one decoder row per
        target, each reading the (causal) encoder outputs up to its own history position.

        Returns teacher-forced logits (R, L, W) and the code tokens (R, L) of the R targets, in
        row-major (window, position) order."""
        src, targets = self.encoder_input(batch), batch["targets"]  # (B, S[, G]), (B, H)
        memory, mask = self.model.encode(src)
        rows, t = (targets >= 0).nonzero(as_tuple=True)
        users_len = src.shape[1] - targets.shape[1] * self.per_item
        last = users_len + (t + 1) * self.per_item - 1  # the last input position the target may read
        visible = mask[rows] & (torch.arange(src.shape[1], device=src.device) <= last[:, None, None, None])
        memory_kv = [(k[rows], v[rows]) for k, v in self.model.memory_kv(memory)]
        tgt = self.item_tokens[targets[rows, t]]  # (R, L)
        return self.model.decode(memory_kv, visible, _teacher_input(tgt)), tgt

    def code_loss(self, logits: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of each code token against its step's output tokens."""
        return F.cross_entropy(
            logits.flatten(0, 1).float(),
            self.local_index[tgt].flatten(),
            label_smoothing=self.hparams.label_smoothing,
        )

    def recommend(self, batch: Batch, stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        return constrained_beam_search(
            self.model,
            self.encoder_input(batch),
            self.trie.to(self.device),
            num_beams=self.hparams.num_beams,
            top_k=self.hparams.top_k,
            exclude=self.excluded(batch, stage),
        )


def _teacher_input(tgt: torch.Tensor) -> torch.Tensor:
    """Decoder input for teacher forcing: BOS, then the code shifted right by one."""
    return torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], dim=1)
