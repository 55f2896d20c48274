"""The generative recommender: trains the encoder-decoder on item codes, ranks by constrained beam search.

The network is built in `build()` because its vocabulary comes from the fitted index, which the
datamodule owns; the index travels in every checkpoint (see `lightlm.recommender`).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from datamodules.item_index import ItemIndex
from datamodules.split import LeaveOneOut
from kitbase.errors import ConfigError
from lightlm.checkpoints import check_checkpoint
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.decoding.exact import exact_top_k
from lightlm.decoding.trie import PrefixTrie
from lightlm.distillation import (
    TeacherScores,
    code_step_targets,
    item_step_targets,
    soft_cross_entropy,
)
from lightlm.networks.encoder_decoder import EncoderDecoder, model_config
from lightlm.networks.tokens import BOS, PAD, TokenLayout
from lightlm.optimization import OptimizerSettings, document_optimizer_args
from lightlm.recommender import Batch, Recommender
from lightlm.sasrec import load_teacher

HISTORY_INPUTS = ("codes", "items", "items+ids")
LAST_STEPS = ("code", "item")
ITEM_SOFTMAX = ("catalogue", "siblings")
RANKINGS = ("beam", "exact")


@document_optimizer_args
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
        encoder_dropout: the encoder's dropout (its blocks and its input embeddings), where it
            should differ from the decoder's (`dropout`, which then applies to the decoder only).
        input_dropout: training only: the probability that an input position (a history item, or
            a user token) has its token embeddings blanked, leaving only its positional embedding,
            so the position still counts and attends but names no item (default 0: off). A
            regulariser of the input side, where `dropout` acts on activations.
        label_smoothing: cross-entropy label smoothing on code tokens.
        num_beams: beams of the constrained beam search.
        top_k: items recommended per user (the metrics need at least 20).
        exclude_train_items: never recommend an item already in the user's input history,
            enforced by the beam-search constraint (default off, as in the published numbers).
        compile: `torch.compile` the network's encoder and decoder blocks, which every training
            step runs (`EncoderDecoder.compile_blocks`: checkpoints keep their keys); beam search's
            incremental decoder step stays eager.
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
        last_step: what the last decoding step emits. `code`: the index's last code level (the
            paper's layout: a cluster or disambiguation number). `item`: the item itself, scored
            against its own id embedding (the one `items+ids` reads), after the first
            `prefix_len` code levels; the prefix keeps beam search inside the index.
        prefix_len: with `last_step: item`, how many code levels precede the item (default: all
            but the index's last level).
        item_softmax: with `last_step: item`, what the item step normalises over: `catalogue`
            (every item, as SASRec's cross-entropy; training and beam search pay one
            catalogue-wide product at that step only) or `siblings` (only the items under the
            decoded prefix: cost independent of the catalogue size).
        decoder_start: what the decoder's first position reads besides the BOS token. `bos`: nothing
            (the decoder finds the history through cross-attention only). `newest`: the encoder's
            output at the newest history position, the state SASRec scores items with, so the
            first code step starts from a summary of the history, as SASRec's output does.
        encoder_item_loss: weight of an auxiliary loss (default 0: none) that trains the encoder
            to name the next item on its own, as SASRec does: the encoder's output at each
            target's newest readable position, scored against every item's id embedding (the
            rows the item step and `items+ids` share), cross-entropy over the catalogue, added to
            the code loss. Needs `last_step: item`. Ranking still comes from the decoder (beam
            search or the exact scorer); the loss costs training one catalogue-wide product per
            target, as SASRec's does.
        rank_by: how items are ranked for validation, test and predict. `beam`: constrained beam
            search. `exact`: every item's exact code log-probability, teacher-forced over the
            trie with shared prefixes (one decoder pass per prefix of the next-to-last level);
            slower, and the reference that measures beam search's gap.
        distill_from: a `lightlm fit` checkpoint of SASRec-CE on the same data (refused
            otherwise) to distil from, in training only: each decoding step's cross-entropy is
            mixed with the cross-entropy of the teacher's catalogue softmax read under the codes
            (`lightlm.distillation`). Needs `last_step: item` with `item_softmax: siblings`.
            Validation, test and the saved checkpoint never read the teacher.
        distill_weight: the teacher's share of each step's loss with `distill_from` (the rest is
            the target's own, label-smoothed cross-entropy).
        distill_prefixes: with `distill_from`, also distil the item step under the K code prefixes
            (clusters, with `prefix_len 1`) other than the target's that hold most of the
            teacher's mass (default 0: the target's prefix only). Beam search ranks the items
            under every prefix it keeps, but the target's prefix is the only one whose item
            distribution the plain loss teaches for a given history; each extra prefix adds its
            soft cross-entropy against the teacher's softmax over its items, weighted by the
            teacher's mass on that prefix (so the sum approaches the joint KL divergence over
            prefix and item). Costs K more decoder rows per target in training.
        distill_catalogue: with `distill_from`, the weight of one more distilled term at the item
            step (default 0: none): the cross-entropy of the teacher's whole catalogue softmax
            under the item step's logits over every item, as SASRec-CE reads its teacher. The
            item step's own terms see only the target's siblings, so an item's row learns from the
            teacher only when its cluster holds the target; this term moves every row at every
            target, the rare items of every cluster included. Costs one catalogue-wide product per
            target in training (SASRec-CE pays one at twice the width).
        distill_temperature: the teacher's logits are divided by it before its softmax is read
            under the codes: above 1 spreads the teacher's mass over more items (more of what it
            knows beyond the target), below 1 concentrates it on its top items. The student's
            logits are not scaled.
        init_items_from_teacher: with `distill_from`, start the item step's embedding rows (one
            per item, which `items+ids` also reads) from the teacher's trained item embeddings
            instead of random ones, so the item step begins with SASRec-CE's item geometry (its
            output is the same kind of dot product: normalised state times item row). Needs
            `d_model` equal to the teacher's. Training only: a resumed run or a saved checkpoint
            reads its own weights.
        prefix_weight: ranking only (training ignores it): beam search and the exact scorer rank
            by prefix_weight * log p(code prefix) + log p(last step | prefix). 1.0 is the model's
            own probability; below 1 flattens the prefix (cluster) step's say in the ranking,
            above 1 sharpens it. An inference option like `num_beams`: `validate`/`test` with
            another value re-rank a trained checkpoint.
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
        encoder_dropout: float | None = None,
        input_dropout: float = 0.0,
        label_smoothing: float = 0.0,
        num_beams: int = 20,
        lr: float = OptimizerSettings.lr,
        weight_decay: float = OptimizerSettings.weight_decay,
        eps: float = OptimizerSettings.eps,
        warmup_ratio: float = OptimizerSettings.warmup_ratio,
        top_k: int = 20,
        exclude_train_items: bool = False,
        compile: bool = False,
        history_input: str = "codes",
        user_input: bool = True,
        causal_encoder: bool = False,
        last_step: str = "code",
        prefix_len: int | None = None,
        item_softmax: str = "catalogue",
        decoder_start: str = "bos",
        encoder_item_loss: float = 0.0,
        rank_by: str = "beam",
        prefix_weight: float = 1.0,
        distill_from: str | None = None,
        distill_weight: float = 0.5,
        distill_prefixes: int = 0,
        distill_catalogue: float = 0.0,
        distill_temperature: float = 1.0,
        init_items_from_teacher: bool = False,
    ) -> None:
        super().__init__(OptimizerSettings(lr, weight_decay, eps, warmup_ratio), top_k, exclude_train_items)
        if num_beams < top_k:
            raise ConfigError(f"--model.num_beams ({num_beams}) must be at least --model.top_k ({top_k})")
        if not 0.0 <= label_smoothing < 1.0:
            raise ConfigError(f"--model.label_smoothing must be in [0, 1), got {label_smoothing}")
        if history_input not in HISTORY_INPUTS:
            raise ConfigError(
                f"--model.history_input {history_input!r} is unknown; choose one of {list(HISTORY_INPUTS)}"
            )
        for name, value, choices in (
            ("last_step", last_step, LAST_STEPS),
            ("item_softmax", item_softmax, ITEM_SOFTMAX),
            ("rank_by", rank_by, RANKINGS),
        ):
            if value not in choices:
                raise ConfigError(f"--model.{name} {value!r} is unknown; choose one of {list(choices)}")
        if not prefix_weight > 0.0:
            raise ConfigError(f"--model.prefix_weight must be positive, got {prefix_weight}")
        if prefix_len is not None and last_step != "item":
            raise ConfigError("--model.prefix_len only applies with --model.last_step item")
        if distill_from is not None and (last_step != "item" or item_softmax != "siblings"):
            raise ConfigError(
                "--model.distill_from needs --model.last_step item and --model.item_softmax siblings"
            )
        if not 0.0 < distill_weight <= 1.0:
            raise ConfigError(f"--model.distill_weight must be in (0, 1], got {distill_weight}")
        if distill_prefixes < 0:
            raise ConfigError(f"--model.distill_prefixes must be at least 0, got {distill_prefixes}")
        if distill_catalogue < 0.0:
            raise ConfigError(f"--model.distill_catalogue must be at least 0, got {distill_catalogue}")
        if not distill_temperature > 0.0:
            raise ConfigError(f"--model.distill_temperature must be positive, got {distill_temperature}")
        for name, value in (("distill_prefixes", distill_prefixes), ("distill_catalogue", distill_catalogue),
                            ("init_items_from_teacher", init_items_from_teacher)):
            if value and distill_from is None:
                raise ConfigError(f"--model.{name} needs --model.distill_from (the teacher)")
        if encoder_item_loss < 0.0:
            raise ConfigError(f"--model.encoder_item_loss must be at least 0, got {encoder_item_loss}")
        if encoder_item_loss and last_step != "item":
            raise ConfigError(
                "--model.encoder_item_loss scores items against the item step's embeddings: "
                "use it with --model.last_step item"
            )
        self.save_hyperparameters()
        self.shape = dict(
            n_enc_layers=n_enc_layers, n_dec_layers=n_dec_layers, d_model=d_model,
            n_heads=n_heads, d_ff=d_ff, dropout=dropout, decoder_start=decoder_start,
            input_dropout=input_dropout, encoder_dropout=encoder_dropout,
        )
        model_config(preset, **self.shape)  # fail on an impossible shape now, not after indexing
        self.model: EncoderDecoder | None = None
        self._teacher: list = []  # a plain list, so the teacher is no submodule: never saved nor optimised

    def check_fit(self) -> None:
        teacher = self.hparams.distill_from
        if teacher and not Path(teacher).is_file():
            raise ConfigError(f"--model.distill_from {teacher}: no such checkpoint (train the teacher first)")
        if self.hparams.init_items_from_teacher:
            width = check_checkpoint(teacher)["hyper_parameters"].get("d_model")
            own = model_config(self.hparams.preset, **self.shape).d_model
            if width is not None and width != own:  # None: no SASRec; load_teacher says so
                raise ConfigError(
                    f"--model.init_items_from_teacher copies the teacher's {width}-wide item embeddings "
                    f"({teacher}): set --model.d_model {width} (got {own})"
                )

    def setup(self, stage: str) -> None:
        super().setup(stage)
        if stage == "fit" and self.hparams.distill_from and not self._teacher:
            dm = self.trainer.datamodule
            self._teacher.append(load_teacher(self.hparams.distill_from, dm.split, dm.history_len))
            if self.hparams.init_items_from_teacher:
                start, n_items = self.model.item_tokens
                rows = self.model.embed.weight
                with torch.no_grad():
                    rows[start : start + n_items] = self._teacher[0].item_vectors().to(rows)

    def build(self, index: ItemIndex, split: LeaveOneOut, history_len: int) -> None:
        hp = self.hparams
        self._check_input(history_len)
        layout = TokenLayout.from_index(index, item_step=hp.last_step == "item", prefix_len=hp.prefix_len)
        self.register_buffer("item_tokens", layout.item_tokens, persistent=False)
        self.register_buffer("user_tokens", layout.user_tokens, persistent=False)
        self.register_buffer("local_index", layout.local_index, persistent=False)
        vocab_size = layout.vocab_size
        if layout.item_step:  # the id tokens exist already: the history reads the output's rows
            history = layout.item_tokens if hp.history_input == "items+ids" else layout.item_tokens[:, :-1]
        elif hp.history_input == "items+ids":  # input-only tokens after the code vocabulary
            history = torch.cat([layout.item_tokens, vocab_size + torch.arange(index.n_items)[:, None]], 1)
            vocab_size += index.n_items
        else:
            history = layout.item_tokens
        self.register_buffer("history_tokens", history, persistent=False)
        self.per_item = layout.code_len if hp.history_input == "codes" else 1  # positions per history item
        user_len = layout.user_tokens.shape[1] if hp.user_input else 0
        cfg = model_config(
            hp.preset, **self.shape, max_src_len=max(user_len + history_len * self.per_item, 1),
            max_tgt_len=layout.code_len, causal_encoder=hp.causal_encoder,
        )
        item_tokens = (layout.item_token_start, index.n_items) if layout.item_step else None
        self.model = EncoderDecoder(cfg, vocab_size, layout.step_tokens, item_tokens, hp.item_softmax)
        self.model.prefix_weight = hp.prefix_weight
        if self.hparams.compile:
            self.model.compile_blocks()
        self.trie = PrefixTrie(layout.item_tokens, layout.local_index)
        if hp.distill_prefixes:
            self._build_prefix_tables(layout.item_tokens)

    def _build_prefix_tables(self, item_tokens: torch.Tensor) -> None:
        """The code prefixes the item step can follow, for `distill_prefixes`: `prefix_of_item`
        (n_items,) each item's prefix as a number in [0, P); `prefix_nodes` (P,) its trie node;
        `prefix_input` (P, L - 1) its tokens (the decoder's input after BOS)."""
        n_items = len(item_tokens)
        parent = self.trie.item_path[:, -2] if self.trie.depth > 1 else torch.zeros(n_items, dtype=torch.long)
        nodes, prefix_of = torch.unique(parent, return_inverse=True)
        if self.hparams.distill_prefixes >= len(nodes):
            raise ConfigError(
                f"--model.distill_prefixes {self.hparams.distill_prefixes}: this index has {len(nodes)} "
                f"code prefixes before the item step, so at most {len(nodes) - 1} others to distil"
            )
        some_item = torch.zeros(len(nodes), dtype=torch.long).scatter_(0, prefix_of, torch.arange(n_items))
        self.register_buffer("prefix_of_item", prefix_of, persistent=False)
        self.register_buffer("prefix_nodes", nodes, persistent=False)
        self.register_buffer("prefix_input", item_tokens[some_item, :-1], persistent=False)

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
        target = batch["target"]
        memory, mask = self.model.encode(self.encoder_input(batch))
        start, memory_kv = self.model.start_states(memory), self.model.memory_kv(memory)
        states = self.teacher_forced(memory_kv, mask, start, target)
        teacher = self.teacher_scores(batch, target)
        loss = self.loss(states, target, memory[:, -1], teacher=teacher)
        return loss + self.other_prefix_loss(memory_kv, mask, start, target, teacher)

    def window_step(self, batch: Batch) -> torch.Tensor:
        memory_kv, visible, start, items, newest = self.window_inputs(batch)
        states = self.teacher_forced(memory_kv, visible, start, items)
        teacher = self.teacher_scores(batch, items)
        loss = self.loss(states, items, newest, teacher=teacher)
        return loss + self.other_prefix_loss(memory_kv, visible, start, items, teacher)

    def teacher_scores(self, batch: Batch, items: torch.Tensor) -> TeacherScores | None:
        """The teacher's logits (R, n_items) of the batch's R targets, divided by
        `distill_temperature` (training with `distill_from` only; else None). items (R,): the
        targets, in the order the student has them."""
        if not (self._teacher and self.training):
            return None
        logits = self._teacher[0].to(self.device).teacher_logits(batch, items)
        temperature = self.hparams.distill_temperature
        return TeacherScores(logits if temperature == 1.0 else logits / temperature)  # no pass for 1

    def window_states(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Every target of each window at once: one encoder pass per window, one decoder row per
        target, each reading the (causal) encoder outputs up to its own history position.

        Returns teacher-forced decoder states (R, L, C), the items (R,) of the R targets, in
        row-major (window, position) order, and the encoder output (R, C) at each target's newest
        readable position."""
        memory_kv, visible, start, items, newest = self.window_inputs(batch)
        return self.teacher_forced(memory_kv, visible, start, items), items, newest

    def teacher_forced(self, memory_kv, mask, start, items: torch.Tensor) -> torch.Tensor:
        """Decoder states (R, L, C) of the R target items' codes, teacher-forced."""
        return self.model.decode_states(memory_kv, mask, _teacher_input(self.item_tokens[items]), start=start)

    def window_inputs(self, batch: Batch):
        """What the decoder reads for each of a window batch's R targets: the cross-attention
        keys and values (one (R, H, S, hd) pair per layer), the memory mask (R, 1, 1, S) of the
        positions up to the target's own, the start states (R, C) or None, the target items (R,)
        in row-major (window, position) order, and the encoder output (R, C) at each target's
        newest readable position."""
        src, targets = self.encoder_input(batch), batch["targets"]  # (B, S[, G]), (B, H)
        memory, mask = self.model.encode(src)
        rows, t = (targets >= 0).nonzero(as_tuple=True)
        users_len = src.shape[1] - targets.shape[1] * self.per_item
        last = users_len + (t + 1) * self.per_item - 1  # the last input position the target may read
        visible = mask[rows] & (torch.arange(src.shape[1], device=src.device) <= last[:, None, None, None])
        memory_kv = [(k[rows], v[rows]) for k, v in self.model.memory_kv(memory)]
        start = self.model.start_states(memory, rows, newest=last)
        return memory_kv, visible, start, targets[rows, t], memory[rows, last]

    def loss(self, states: torch.Tensor, items: torch.Tensor, newest: torch.Tensor,
             teacher: TeacherScores | None = None) -> torch.Tensor:
        """The mean cross-entropy over the target items' tokens (every token weighs the same),
        plus `encoder_item_loss` times the encoder's own next-item cross-entropy. states
        (R, L, C), items (R,), newest (R, C): the encoder output each target is predicted after;
        teacher: the scores to distil from, or None."""
        loss = self.token_losses(states, items, teacher=teacher).mean()
        weight = self.hparams.encoder_item_loss
        if not weight:
            return loss
        logits = self.model.encoder_item_logits(newest)
        return loss + weight * _cross_entropy(logits, items, self.hparams.label_smoothing).mean()

    def token_losses(self, states: torch.Tensor, items: torch.Tensor, smoothing: float | None = None,
                     teacher: TeacherScores | None = None):
        """(R, L) cross-entropy of each target item's tokens: each code token against its step's
        output tokens; with an item-level last step, the item against the catalogue or against
        the items that share its prefix (`item_softmax`). states (R, L, C), items (R,);
        `smoothing` defaults to the model's label smoothing (0 gives the plain log-likelihood).
        With the teacher's scores, each step's loss is mixed with the cross-entropy of the
        teacher's soft targets for that step (`distill_weight`, `lightlm.distillation`), and the
        item step's gains `distill_catalogue` times the teacher's catalogue-wide one."""
        tgt = self.item_tokens[items]  # (R, L)
        n_code = self.model.n_code_steps
        smoothing = self.hparams.label_smoothing if smoothing is None else smoothing
        logits = self.model.logits(states[:, :n_code], slice(0, n_code))
        code = _cross_entropy(logits.flatten(0, 1), self.local_index[tgt[:, :n_code]].flatten(), smoothing)
        code = code.view(len(items), n_code)
        if teacher is not None:
            probs, width = teacher.probs, logits.shape[-1]
            soft = [
                soft_cross_entropy(logits[:, s], code_step_targets(
                    probs, self.item_tokens, self.local_index[self.item_tokens[:, s]], tgt, s, width))
                for s in range(n_code)
            ]
            code = self._mix(code, torch.stack(soft, 1))
        if n_code == tgt.shape[1]:
            return code
        if self.hparams.item_softmax == "catalogue":
            item_logits, column = self.model.item_logits(states[:, -1]), items
        else:
            parent = self.trie.item_path[items, -2] if self.trie.depth > 1 else torch.zeros_like(items)
            tokens, valid = self.trie.child_tokens(parent, self.trie.depth - 1)
            item_logits = self.model.candidate_logits(states[:, -1], tokens, groups=parent)
            item_logits = item_logits.masked_fill(~valid, float("-inf"))
            column = (tokens == tgt[:, -1:]).float().argmax(1)
        item = _cross_entropy(item_logits, column, smoothing)
        if teacher is not None:
            soft = item_step_targets(teacher.logits, tokens - self.model.item_tokens[0], valid)
            item = self._mix(item, soft_cross_entropy(item_logits, soft))
            if self.hparams.distill_catalogue:
                catalogue = soft_cross_entropy(self.model.item_logits(states[:, -1]), teacher.probs)
                item = item + self.hparams.distill_catalogue * catalogue
        return torch.cat([code, item[:, None]], 1)

    def other_prefix_loss(self, memory_kv, mask, start, items: torch.Tensor,
                          teacher: TeacherScores | None) -> torch.Tensor:
        """`distill_prefixes` K: the item step's distillation under the K prefixes other than
        each target's own that hold most of the teacher's mass, as a share of the mean token loss
        (0 without a teacher or with K = 0).

        Per target: sum over those prefixes p of m_p * H(teacher over p's items, student's item
        step after p), m_p the teacher's mass on p; scaled by `distill_weight` and divided by the
        code length, as if added to the item step's distilled term. The K rows of a target share
        its memory (`rows_per_memory`). memory_kv, mask, start: per target, as `decode_states`
        takes them; items (R,); teacher: the teacher's scores of the R targets."""
        k = self.hparams.distill_prefixes
        if teacher is None or not k:
            return torch.zeros((), device=items.device)
        n_prefixes = len(self.prefix_nodes)
        mass = teacher.probs.new_zeros(len(items), n_prefixes)
        mass.index_add_(1, self.prefix_of_item, teacher.probs)
        mass = mass.scatter(1, self.prefix_of_item[items, None], -1.0)  # never the target's own prefix
        mass, prefixes = mass.topk(k, dim=1)  # (R, K)
        tgt_in = torch.cat([torch.full_like(prefixes[..., None], BOS), self.prefix_input[prefixes]], -1)
        states = self.model.decode_states(memory_kv, mask, tgt_in.flatten(0, 1), rows_per_memory=k,
                                          start=start)
        nodes = self.prefix_nodes[prefixes.flatten()]
        tokens, valid = self.trie.child_tokens(nodes, self.trie.depth - 1)
        logits = self.model.candidate_logits(states[:, -1], tokens, groups=nodes)
        logits = logits.masked_fill(~valid, float("-inf"))
        first = self.model.item_tokens[0]
        shape = (len(items), k, tokens.shape[1])
        soft = item_step_targets(teacher.logits, (tokens - first).view(shape), valid.view(shape))
        ce = soft_cross_entropy(logits, soft.flatten(0, 1)).view(len(items), k)
        return self.hparams.distill_weight * (mass * ce).sum(1).mean() / self.item_tokens.shape[1]

    def _mix(self, own: torch.Tensor, distilled: torch.Tensor) -> torch.Tensor:
        weight = self.hparams.distill_weight
        return (1 - weight) * own + weight * distilled

    def recommend(self, batch: Batch, stage: str) -> tuple[torch.Tensor, torch.Tensor]:
        trie = self.trie.to(self.device)
        if self.hparams.rank_by == "exact":
            return exact_top_k(self.model, self.encoder_input(batch), trie, self.hparams.top_k,
                               exclude=self.excluded(batch, stage))
        return constrained_beam_search(
            self.model,
            self.encoder_input(batch),
            trie,
            num_beams=self.hparams.num_beams,
            top_k=self.hparams.top_k,
            exclude=self.excluded(batch, stage),
        )


def _teacher_input(tgt: torch.Tensor) -> torch.Tensor:
    """Decoder input for teacher forcing: BOS, then the code shifted right by one."""
    return torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], dim=1)


def _cross_entropy(logits: torch.Tensor, target: torch.Tensor, smoothing: float) -> torch.Tensor:
    """Cross-entropy (N,) of logits (N, W) in which -inf marks slots that are no class (padding
    of a narrower step, a node's missing children); label smoothing spreads its mass over the
    real classes only (F.cross_entropy would spread it over the -inf slots too: an infinite loss)."""
    logp = logits.float().log_softmax(-1)
    nll = -logp.gather(1, target[:, None])[:, 0]
    if smoothing == 0.0:
        return nll
    real = torch.isfinite(logp)
    uniform = -(logp.masked_fill(~real, 0.0).sum(-1) / real.sum(-1))
    return (1 - smoothing) * nll + smoothing * uniform
