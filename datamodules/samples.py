"""Pre-tensorized samples: every batch is one gather from a few tensors, no per-sample Python.

A sample is (user, history, target) as item/user *indices*; the model turns indices into tokens
with its own code tables, so the datasets do not depend on the indexer at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

from datamodules.interactions import Sequences


@dataclass
class SampleTensors(Dataset):
    """Columns of samples. `history` is left-padded with -1 so the newest item comes last."""

    user: torch.Tensor  # (N,) long
    history: torch.Tensor  # (N, H) long, H may be 0 (direct task)
    target: torch.Tensor  # (N,) long

    def __len__(self) -> int:
        return len(self.user)

    def __getitems__(self, idx: list[int]) -> dict[str, torch.Tensor]:
        i = torch.as_tensor(idx, dtype=torch.long)
        return {"user": self.user[i], "history": self.history[i], "target": self.target[i]}

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return self.__getitems__([i])


def take_batch(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """DataLoader collate for `SampleTensors`: the batch is already assembled by `__getitems__`."""
    return batch


def _histories(seqs: Sequences, flat_index: np.ndarray, length: int) -> np.ndarray:
    """The `length` items before each position `flat_index` of its own user's sequence."""
    users = seqs.users()[flat_index] if len(flat_index) else flat_index
    pos = flat_index - seqs.offsets[users]
    out = np.full((len(flat_index), length), -1, dtype=np.int64)
    for back in range(1, length + 1):
        ok = pos >= back
        out[ok, length - back] = seqs.items[flat_index[ok] - back]
    return out


def training_samples(train: Sequences, history_len: int) -> SampleTensors:
    """One sample per training interaction; with `history_len` > 0, every prefix predicts its next item."""
    flat = np.arange(len(train.items), dtype=np.int64)
    return SampleTensors(
        user=torch.as_tensor(train.users()),
        history=torch.as_tensor(_histories(train, flat, history_len)),
        target=torch.as_tensor(train.items),
    )


def evaluation_samples(history: Sequences, target: np.ndarray, history_len: int) -> SampleTensors:
    """One sample per user: the last `history_len` items of `history`, then `target`."""
    # Positions one past each user's last item: append a sentinel column by using offsets[1:].
    ends = history.offsets[1:]
    extended = Sequences(
        history.offsets + np.arange(history.n_users + 1),
        np.insert(history.items, ends, -1),
        history.n_items,
    )
    flat = extended.offsets[1:] - 1
    return SampleTensors(
        user=torch.arange(history.n_users, dtype=torch.long),
        history=torch.as_tensor(_histories(extended, flat, history_len)),
        target=torch.as_tensor(np.asarray(target, dtype=np.int64)),
    )
