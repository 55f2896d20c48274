"""Items a user must not be offered (`--model.exclude_train_items`): sorted history keys.

A user's history is stored as sorted `user * n_items + item` keys, so the history of any batch
of users is found with two binary searches per user, at any catalogue size, where a dense
(users, n_items) mask would not fit.
"""

from __future__ import annotations

import torch

from datamodules.interactions import Sequences


def history_keys(seqs: Sequences) -> torch.Tensor:
    """(n_interactions,) sorted `user * n_items + item` keys of every (user, item) read."""
    keys = torch.as_tensor(seqs.users()) * seqs.n_items + torch.as_tensor(seqs.items)
    return keys.sort().values


def history_pairs(keys: torch.Tensor, users: torch.Tensor, n_items: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(row, item) pairs, each once, of every history item of each row's user.

    keys: sorted history keys (see `history_keys`); users (B,): the user of each row.
    Returns rows (P,) in 0..B-1 and items (P,), grouped by row."""
    lo = torch.searchsorted(keys, users * n_items)
    counts = torch.searchsorted(keys, (users + 1) * n_items) - lo
    rows = torch.repeat_interleave(torch.arange(len(users), device=keys.device), counts)
    starts = torch.repeat_interleave(lo - torch.cumsum(counts, 0) + counts, counts)
    items = keys[starts + torch.arange(len(starts), device=keys.device)] % n_items
    pairs = torch.unique(rows * n_items + items)  # an item read twice is one pair
    return pairs // n_items, pairs % n_items
