"""From index codes to model tokens.

Each (kind, level, value) gets its own token (docs/method.md section 4): item level 2 value 7 and user level
0 value 7 are different tokens, so the level of a token is known without its position and the
decoding constraint only ever touches item tokens.

Vocabulary layout: [PAD, BOS, EOS] + user tokens (level by level) + item tokens (level by level).
Item codes shorter than the longest one are padded with EOS, so every item decodes in exactly
`code_len` steps and a shorter code can never be a prefix of a longer one.

The decoder's softmax at step t runs over the tokens of item level t (plus EOS), not over the
whole vocabulary: those are the only tokens that can appear there, and with one token per user
the full vocabulary would be mostly users. This makes the output layer tens to hundreds of
times cheaper, for training and for beam search alike.

With an *item-level last step* (`item_step=True`), an item's token sequence is the first
`prefix_len` levels of its index code, then one token per item (the item's own id token, the
same row of the embedding table that the history input reads): the prefix routes the beam
search through the index, the last step names the item itself, so the output layer of that step
is an item embedding table as in SASRec instead of an arbitrary disambiguation number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from datamodules.item_index import ItemIndex
from kitbase.errors import ConfigError

PAD, BOS, EOS = 0, 1, 2
N_SPECIAL = 3


def _offsets(sizes: list[int], start: int) -> np.ndarray:
    return start + np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def _to_tokens(codes: np.ndarray, offsets: np.ndarray, pad_token: int) -> torch.Tensor:
    tokens = np.where(codes >= 0, codes + offsets[None, :], pad_token)
    return torch.as_tensor(tokens, dtype=torch.long)


@dataclass(frozen=True)
class TokenLayout:
    """Token tables derived from an `ItemIndex`."""

    item_tokens: torch.Tensor  # (n_items, code_len) long, EOS-padded
    user_tokens: torch.Tensor  # (n_users, user_len) long, PAD-padded
    vocab_size: int
    step_tokens: torch.Tensor  # (code_len, W) long: output tokens of each decoding step, PAD-padded
    local_index: torch.Tensor  # (vocab_size,) long: a token's column in its step's output, else -1
    item_token_start: int | None = None  # with an item-level last step: the token of item 0

    @property
    def code_len(self) -> int:
        return self.item_tokens.shape[1]

    @property
    def item_step(self) -> bool:
        return self.item_token_start is not None

    @staticmethod
    def from_index(index: ItemIndex, item_step: bool = False, prefix_len: int | None = None) -> TokenLayout:
        """Token tables of `index`; with `item_step`, codes are cut to `prefix_len` levels (None:
        all but the last) and every item gets one more token, its own id, after the vocabulary.
        The id tokens have no column in `step_tokens`: the last step scores items directly."""
        codes = index.item_codes
        if item_step:
            prefix_len = codes.shape[1] - 1 if prefix_len is None else prefix_len
            if not 1 <= prefix_len <= codes.shape[1]:
                raise ConfigError(
                    f"--model.prefix_len must be between 1 and the index's code length "
                    f"{codes.shape[1]}, got {prefix_len}"
                )
            codes = codes[:, :prefix_len]
        user_sizes = index.level_sizes("user")
        item_sizes = [int(c.max()) + 1 if (c >= 0).any() else 0 for c in codes.T]
        user_off = _offsets(user_sizes, N_SPECIAL)
        item_off = _offsets(item_sizes, N_SPECIAL + sum(user_sizes))
        vocab_size = N_SPECIAL + sum(user_sizes) + sum(item_sizes)
        # Column 0 of every step is EOS, then that level's tokens in order.
        width = 1 + max(item_sizes)
        step_tokens = np.full((len(item_sizes), width), PAD, dtype=np.int64)
        local_index = np.full(vocab_size, -1, dtype=np.int64)
        step_tokens[:, 0] = EOS
        local_index[EOS] = 0
        for level, (off, size) in enumerate(zip(item_off, item_sizes)):
            step_tokens[level, 1 : 1 + size] = off + np.arange(size)
            local_index[off : off + size] = 1 + np.arange(size)
        item_tokens = _to_tokens(codes, item_off, EOS)
        item_token_start = None
        if item_step:
            item_token_start = vocab_size
            ids = vocab_size + torch.arange(index.n_items)[:, None]
            item_tokens = torch.cat([item_tokens, ids], dim=1)
            vocab_size += index.n_items
            local_index = np.concatenate([local_index, np.full(index.n_items, -1, dtype=np.int64)])
        return TokenLayout(
            item_tokens=item_tokens,
            user_tokens=_to_tokens(index.user_codes, user_off, PAD),
            vocab_size=vocab_size,
            step_tokens=torch.as_tensor(step_tokens),
            local_index=torch.as_tensor(local_index),
            item_token_start=item_token_start,
        )
