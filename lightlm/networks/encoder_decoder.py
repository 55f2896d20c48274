"""The deep-and-narrow encoder-decoder (docs/method.md section 5), in plain torch.

T5-style: pre-norm RMSNorm, no biases, learned absolute positions, one token embedding shared by
encoder, decoder and the output layer. LightLM's point is the shape: T5-small's depth (6+6) and
width (d_model 512) with the feed-forward cut from 2048 to 16.

The decoder keeps a key/value cache so beam search runs one position per step; cross-attention
keys and values are computed once per user and reused by every beam and step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from kitbase.errors import ConfigError

# `bos`: the start token's embedding only; the decoder finds the history through cross-attention.
# `newest`: plus the encoder's output at the newest input position, the state SASRec scores items
# with, so the first code step starts from a summary of the history rather than a constant.
DECODER_STARTS = ("bos", "newest")


@dataclass
class ModelConfig:
    """Shape of the Transformer. Presets: see `PRESETS`."""

    n_enc_layers: int = 2  # encoder depth
    n_dec_layers: int = 2  # decoder depth
    d_model: int = 128  # residual width
    n_heads: int = 4  # attention heads; d_model must divide by it
    d_ff: int = 16  # feed-forward width (LightLM: 16, T5-small: 2048)
    dropout: float = 0.1  # dropout on attention, feed-forward and embeddings
    input_dropout: float = 0.0  # training: share of input positions whose token embeddings are blanked
    encoder_dropout: float | None = None  # the encoder's dropout (blocks, input embeddings), if not `dropout`
    max_src_len: int = 512  # longest encoder input (user tokens + history codes)
    max_tgt_len: int = 16  # longest item code, plus the start token
    causal_encoder: bool = False  # each input position sees only itself and earlier positions
    decoder_start: str = "bos"  # what the decoder's first position reads: see DECODER_STARTS

    def __post_init__(self) -> None:
        for name in ("n_enc_layers", "n_dec_layers", "d_model", "n_heads", "d_ff"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--model.{name} must be at least 1, got {getattr(self, name)}")
        if self.d_model % self.n_heads:
            raise ConfigError(
                f"--model.d_model ({self.d_model}) must be divisible by --model.n_heads ({self.n_heads})"
            )
        for name in ("dropout", "input_dropout", "encoder_dropout"):
            if getattr(self, name) is not None and not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"--model.{name} must be in [0, 1), got {getattr(self, name)}")
        if self.decoder_start not in DECODER_STARTS:
            raise ConfigError(
                f"--model.decoder_start {self.decoder_start!r} is unknown; "
                f"choose one of {list(DECODER_STARTS)}"
            )


ITEM_SCORES = 1 << 24  # item logits held at once when scoring the catalogue without gradient
# Candidate slots per group (rows x candidates / groups) from which candidate_logits scores each
# group's rows with one matmul rather than gathering every row's candidates: a group's kernels cost
# about what gathering that many candidate embeddings and their gradient does (docs/method.md, 7).
GROUP_MIN_SLOTS = 160

PRESETS: dict[str, dict] = {
    "lightlm": dict(n_enc_layers=6, n_dec_layers=6, d_model=512, n_heads=8, d_ff=16),
    "t5-small": dict(n_enc_layers=6, n_dec_layers=6, d_model=512, n_heads=8, d_ff=2048),
    "small": dict(n_enc_layers=2, n_dec_layers=2, d_model=128, n_heads=4, d_ff=16),
    "tiny": dict(n_enc_layers=1, n_dec_layers=1, d_model=32, n_heads=2, d_ff=16),
}


def model_config(preset: str, **overrides) -> ModelConfig:
    if preset not in PRESETS:
        raise ConfigError(f"--model.preset {preset!r} is unknown; choose one of {sorted(PRESETS)}")
    fields = {**PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None}}
    return ModelConfig(**fields)


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)  # one fused kernel on GPU


class Attention(nn.Module):
    """Multi-head attention through `scaled_dot_product_attention` (fused kernels on GPU)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.n_heads, self.dropout = cfg.n_heads, cfg.dropout
        self.q = nn.Linear(cfg.d_model, cfg.d_model, bias=False)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model, bias=False)
        self.out = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        return x.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)  # (B, H, T, hd)

    def keys_values(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k, v = self.kv(x).chunk(2, dim=-1)
        return self.heads(k), self.heads(v)

    def attend(self, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask=None, causal=False):
        q = self.heads(self.q(x))
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p, is_causal=causal)
        B, H, T, hd = y.shape
        return self.out(y.transpose(1, 2).reshape(B, T, H * hd))

    def forward(self, x: torch.Tensor, mask=None, causal=False) -> torch.Tensor:
        k, v = self.keys_values(x)
        return self.attend(x, k, v, mask, causal)


class FeedForward(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.up = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.down = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(self.drop(F.gelu(self.up(x))))


class EncoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(cfg.d_model), RMSNorm(cfg.d_model)
        self.attn, self.ff = Attention(cfg), FeedForward(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.attn(self.norm1(x), mask=mask))
        return x + self.drop(self.ff(self.norm2(x)))


class DecoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.norm1, self.norm2, self.norm3 = (RMSNorm(cfg.d_model) for _ in range(3))
        self.self_attn, self.cross_attn = Attention(cfg), Attention(cfg)
        self.ff = FeedForward(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, memory_kv, memory_mask, rows_per_memory: int = 1) -> torch.Tensor:
        """Teacher forcing: x (R, T, C) attends causally to itself and to its row's memory.

        With `rows_per_memory` G > 1, memory_kv (R / G, H, S, hd) holds one memory per G
        consecutive rows (many code prefixes of one user): cross-attention then runs those rows'
        G * T positions as queries against the shared memory, without copying it G times.
        """
        x = x + self.drop(self.self_attn(self.norm1(x), causal=True))
        R, T, C = x.shape
        h = self.norm2(x).reshape(R // rows_per_memory, rows_per_memory * T, C)
        y = self.cross_attn.attend(h, *memory_kv, mask=memory_mask).reshape(R, T, C)
        x = x + self.drop(y)
        return x + self.drop(self.ff(self.norm3(x)))

    def step(self, x, memory_kv, memory_mask, cache, slots: slice, visible):
        """One new position for k beams of each of B rows: x (B, k, C) -> (B, k, C).

        memory_kv: (B, H, S, hd) each. cache: this layer's self-attention keys/values of all
        earlier beams, (B, H, L, hd) each, never reordered; this position's go to `slots` (k of
        them). visible (B, k, slots.start) bool: the earlier slots in each beam's own prefix.
        """
        h = self.norm1(x)
        attn = self.self_attn
        q = attn.heads(attn.q(h))  # (B, H, k, hd)
        k, v = attn.keys_values(h)  # (B, H, k, hd)
        k_past, v_past = (c[:, :, : slots.start] for c in cache)  # (B, H, P, hd)
        cache[0][:, :, slots], cache[1][:, :, slots] = k, v
        # Each beam attends to its prefix (one earlier slot per position, marked by `visible`) and
        # to itself: scores against the few earlier slots plus the diagonal, not a k x L matrix.
        past = (q @ k_past.transpose(-1, -2)).masked_fill(~visible[:, None], float("-inf"))
        own = (q * k).sum(-1, keepdim=True)
        p = (torch.cat([past, own], dim=-1) * q.shape[-1] ** -0.5).softmax(-1)  # (B, H, k, P + 1)
        y = p[..., :-1] @ v_past + p[..., -1:] * v
        B, H, kb, hd = y.shape
        x = x + attn.out(y.transpose(1, 2).reshape(B, kb, H * hd))
        B, H, S, hd = memory_kv[1].shape
        if S == 1:
            # One memory position (the direct task's one-token user): its softmax weight is 1 for
            # every query, so the output is that position's value, the same for all k beams.
            x = x + self.cross_attn.out(memory_kv[1].reshape(B, 1, H * hd))
        else:
            # The k beams of a row are k queries against that row's memory: no per-beam copy of it.
            x = x + self.cross_attn.attend(self.norm2(x), *memory_kv, mask=memory_mask)
        return x + self.ff(self.norm3(x))


class EncoderDecoder(nn.Module):
    """Reads source tokens, scores target tokens. Token 0 is padding and is never attended to.

    `step_tokens` (T, W) lists the tokens the decoder may emit at each code step (PAD-padded);
    logits are computed only for those, against the tied embedding rows (see `lightlm.networks.tokens`).
    With `item_tokens` = (first token, n_items), one more step follows the T code steps and
    scores items against their own embedding rows, normalised over the whole catalogue
    (`item_softmax="catalogue"`) or over the items that share the decoded prefix (`"siblings"`).

    `prefix_weight` (an inference setting, 1.0 by default) multiplies the log-probabilities of
    every step before the last in `step_log_probs`, so beam search and the exact scorer rank by
    prefix_weight * log p(prefix) + log p(last token | prefix); training never reads it.
    """

    def __init__(
        self,
        cfg: ModelConfig,
        vocab_size: int,
        step_tokens: torch.Tensor,
        item_tokens: tuple[int, int] | None = None,
        item_softmax: str = "catalogue",
    ) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("step_tokens", step_tokens.clone(), persistent=False)
        self.item_tokens, self.item_softmax = item_tokens, item_softmax
        self.embed = nn.Embedding(vocab_size, cfg.d_model)
        self.src_pos = nn.Embedding(cfg.max_src_len, cfg.d_model)
        self.tgt_pos = nn.Embedding(cfg.max_tgt_len, cfg.d_model)
        enc_cfg = cfg if cfg.encoder_dropout is None else replace(cfg, dropout=cfg.encoder_dropout)
        self.encoder = nn.ModuleList(EncoderBlock(enc_cfg) for _ in range(cfg.n_enc_layers))
        self.decoder = nn.ModuleList(DecoderBlock(cfg) for _ in range(cfg.n_dec_layers))
        self.enc_norm, self.dec_norm = RMSNorm(cfg.d_model), RMSNorm(cfg.d_model)
        self.drop, self.src_drop = nn.Dropout(cfg.dropout), nn.Dropout(enc_cfg.dropout)
        self.prefix_weight = 1.0
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def config_dict(self) -> dict:
        return asdict(self.cfg)

    def compile_blocks(self) -> None:
        """`torch.compile` every encoder and decoder block's `forward` (`nn.Module.compile`, so
        state-dict keys stay as they are). Training reaches the network through `encode` and
        `decode_states`, never `forward`, so compiling the whole module would compile nothing
        that training runs; beam search's `DecoderBlock.step` stays eager."""
        for block in (*self.encoder, *self.decoder):
            block.compile()

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """src -> memory (B, S, C) and its attention mask (B, 1, 1, S), True = attend.

        src is (B, S), one token per position, or (B, S, G): G tokens per position whose
        embeddings are summed, PAD ignored (one position per history item: its code tokens, and
        optionally an item-id token). A position of PAD only is masked out.
        """
        B, S = src.shape[:2]
        if S > self.cfg.max_src_len:
            raise ConfigError(f"input of {S} positions exceeds --model.max_src_len {self.cfg.max_src_len}")
        if src.dim() == 2:
            mask = (src != 0)[:, None, None, :]
            x = self.embed(src)
        else:
            present = src != 0
            mask = present.any(-1)[:, None, None, :]
            x = (self.embed(src) * present[..., None]).sum(2)
        if self.training and self.cfg.input_dropout:
            # Whole positions lose their tokens but stay attendable (their positional embedding
            # remains: "an item was here"), so no prediction leans on one history item alone.
            x = x * (torch.rand(B, S, 1, device=src.device) >= self.cfg.input_dropout)
        x = self.src_drop(x + self.src_pos(torch.arange(S, device=src.device)))
        self_mask = mask
        if self.cfg.causal_encoder:
            # Earlier positions only, and always itself: a padding position would otherwise see
            # no key at all (a NaN row); its output is never attended to by the decoder anyway.
            order = torch.arange(S, device=src.device)
            self_mask = (mask & (order[None, :] <= order[:, None])) | (order[None, :] == order[:, None])
        for block in self.encoder:
            x = block(x, self_mask)
        return self.enc_norm(x), mask

    def memory_kv(self, memory: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Cross-attention keys/values of every decoder layer, computed once per input."""
        return [block.cross_attn.keys_values(memory) for block in self.decoder]

    def start_states(self, memory: torch.Tensor, rows=None, newest=None) -> torch.Tensor | None:
        """What the decoder's first position adds to the BOS embedding (`decoder_start`): None for
        `bos`; for `newest`, memory (B, S, C) at each row's newest input position, (B, C): the
        last position, as inputs are left-padded with the newest item last. Window training
        passes rows, newest (R,): each target's window and the newest position it may read,
        giving (R, C)."""
        if self.cfg.decoder_start == "bos":
            return None
        return memory[:, -1] if rows is None else memory[rows, newest]

    @property
    def n_code_steps(self) -> int:
        return self.step_tokens.shape[0]

    @property
    def last_step(self) -> int:
        """Index of the final decoding step: the item step if there is one, else the last code level."""
        return self.n_code_steps if self.item_tokens is not None else self.n_code_steps - 1

    def logits(self, h: torch.Tensor, steps: slice) -> torch.Tensor:
        """h (B, T, C) at code `steps` -> logits (B, T, W) over each step's output tokens."""
        tokens = self.step_tokens[steps]  # (T, W)
        out = torch.einsum("btc,twc->btw", self.dec_norm(h), self.embed(tokens))  # tied weights
        return out.masked_fill(tokens == 0, float("-inf"))

    def item_logits(self, h: torch.Tensor) -> torch.Tensor:
        """h (N, C) at the item step -> (N, n_items) logits of every item (tied embeddings)."""
        start, n = self.item_tokens
        return self.dec_norm(h) @ self.embed.weight[start : start + n].T

    def encoder_item_logits(self, memory: torch.Tensor) -> torch.Tensor:
        """memory (N, C): encoder outputs (already normalised) -> (N, n_items) logits of every item
        against the tied item rows, as SASRec scores its state: the auxiliary encoder loss."""
        start, n = self.item_tokens
        return memory @ self.embed.weight[start : start + n].T

    def candidate_logits(self, h: torch.Tensor, tokens: torch.Tensor, groups: torch.Tensor | None = None
                         ) -> torch.Tensor:
        """h (N, C) at the item step, candidate item tokens (N, W) -> (N, W) logits of just those.

        Given `groups` (N,) ids such that rows with the same id have the same candidates (the
        children of one trie node), one (rows, W) matmul per group when the candidates would not
        fit a gather of the catalogue's size (W * C above n_items) or when the G groups hold at
        least `GROUP_MIN_SLOTS` candidate slots each (N * W / G): gathering every row's candidate
        embeddings (N, W, C) and its backward then move N / G times the memory of the groups' own
        (G, W, C), while each group costs a few small kernels. Else gathering (N, W, C) when
        W * C is at most the catalogue size; else scoring every item (N, n_items) and keeping the
        candidates' columns, in row chunks outside training. A wide node (thousands of items
        under one prefix) would otherwise cost gigabytes per batch."""
        start, n = self.item_tokens
        narrow = tokens.shape[1] * h.shape[1] <= n
        if groups is not None:
            order = groups.argsort()
            _, counts = torch.unique_consecutive(groups[order], return_counts=True)
            if not narrow or len(counts) * GROUP_MIN_SLOTS <= tokens.numel():
                return self._grouped_candidate_logits(h, tokens, order, counts)
        if narrow:
            return torch.einsum("nc,nwc->nw", self.dec_norm(h), self.embed(tokens))
        columns = (tokens - start).clamp(0, n - 1)  # slots that are no item are masked by callers
        return self._chunked(h, lambda logits, rows: logits.gather(1, columns[rows]))

    def _grouped_candidate_logits(self, h: torch.Tensor, tokens: torch.Tensor, order: torch.Tensor,
                                  counts: torch.Tensor) -> torch.Tensor:
        """`candidate_logits` for rows that share their candidates by group: h (N, C), tokens
        (N, W), `order` (N,) the rows sorted by group and `counts` (G,) the rows of each group in
        that order -> (N, W), each group's rows against its W candidate rows at once."""
        columns = self.embed(tokens[order[counts.cumsum(0) - counts]])  # (G, W, C): each group's candidates
        rows = self.dec_norm(h[order]).split(counts.tolist())
        return torch.cat([r @ c.T for r, c in zip(rows, columns)])[order.argsort()]

    def _chunked(self, h: torch.Tensor, pick) -> torch.Tensor:
        """`pick(item_logits(h[rows]), rows)` over row chunks of at most ITEM_SCORES scores when
        no gradient is needed (one chunk when training: autograd keeps the logits anyway)."""
        n = self.item_tokens[1]
        step = h.shape[0] if torch.is_grad_enabled() else max(1, ITEM_SCORES // n)
        rows = [slice(i, i + step) for i in range(0, h.shape[0], step)]
        parts = [pick(self.item_logits(h[r]), r) for r in rows]
        return torch.cat(parts) if len(parts) != 1 else parts[0]

    def step_log_probs(self, h, step: int, tokens, columns, valid) -> torch.Tensor:
        """Log-probabilities of candidate next tokens, in float32.

        h (N, C): decoder states at `step`; tokens, columns, valid (N, W): the candidates (a trie
        node's children), their column in the step's logits, and which slots are real.
        Returns (N, W), -inf where not valid: what beam search and the exact scorer both add up
        (times `prefix_weight` before the last step).
        """
        if step < self.n_code_steps:
            logp = self.logits(h[:, None], slice(step, step + 1))[:, 0].float().log_softmax(-1)
            out = logp.gather(1, columns)
        elif self.item_softmax == "catalogue":
            columns = (tokens - self.item_tokens[0]).clamp(min=0)
            out = self._chunked(h, lambda lg, rows: lg.float().log_softmax(-1).gather(1, columns[rows]))
        else:  # siblings: normalised over the valid candidates only
            logits = self.candidate_logits(h, tokens).float().masked_fill(~valid, float("-inf"))
            out = logits.log_softmax(-1)
        if step < self.last_step and self.prefix_weight != 1.0:
            out = out * self.prefix_weight
        return out.masked_fill(~valid, float("-inf"))

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: src (B, S), tgt_in (B, T) starting with BOS -> logits (B, T, W)."""
        memory, mask = self.encode(src)
        states = self.decode_states(self.memory_kv(memory), mask, tgt_in, start=self.start_states(memory))
        return self.logits(states, slice(0, tgt_in.shape[1]))

    def decode_states(self, memory_kv, memory_mask, tgt_in: torch.Tensor, rows_per_memory: int = 1,
                      start: torch.Tensor | None = None):
        """Teacher forcing, up to the decoder's last block: tgt_in (R, T) -> states (R, T, C).

        memory_kv/memory_mask have one row per target row, or one per `rows_per_memory`
        consecutive target rows (see `DecoderBlock.forward`); so do the `start_states`, if any."""
        T = tgt_in.shape[1]
        x = self.embed(tgt_in) + self.tgt_pos(torch.arange(T, device=tgt_in.device))
        if start is not None:
            x[:, 0] += start.repeat_interleave(rows_per_memory, dim=0)
        x = self.drop(x)
        for block, kv in zip(self.decoder, memory_kv):
            x = block(x, kv, memory_mask, rows_per_memory)
        return x

    def new_cache(self, rows: int, slots: int, like: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Zeroed self-attention keys/values per decoder layer, (rows, H, slots, hd), `like`'s dtype."""
        shape = (rows, self.cfg.n_heads, slots, self.cfg.d_model // self.cfg.n_heads)
        return [(like.new_zeros(shape), like.new_zeros(shape)) for _ in self.decoder]

    def decode_step(self, token, pos: int, memory_kv, memory_mask, cache, slots: slice, visible, start=None):
        """One decoder position for k beams of each of B rows.

        token (B, k); `cache` from `new_cache(B, L, ...)`, this position's keys/values go to
        `slots`; visible (B, k, slots.start) bool marks the earlier slots of each beam's prefix;
        start: the rows' `start_states` (B, C) or None, read at position 0 only.
        Returns the decoder states (B, k, C) at step `pos` (see `step_log_probs`).
        """
        x = self.embed(token) + self.tgt_pos.weight[pos]  # (B, k, C)
        if pos == 0 and start is not None:
            x = x + start[:, None]
        for block, kv, c in zip(self.decoder, memory_kv, cache):
            x = block.step(x, kv, memory_mask, c, slots, visible)
        return x
