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

# Recent items in a sequential sample's input unless configured (`--data.history_len`).
DEFAULT_HISTORY_LEN = 20


@dataclass
class SampleTensors(Dataset):
    """Columns of samples. `history` is left-padded with -1 so the newest item comes last."""

    user: torch.Tensor  # (N,) long
    history: torch.Tensor  # (N, H) long, H may be 0 (direct task)
    target: torch.Tensor  # (N,) long
    targets: torch.Tensor | None = None  # (N, H) long: the item after each history position (windows)

    def __len__(self) -> int:
        return len(self.user)

    def __getitems__(self, idx: list[int]) -> dict[str, torch.Tensor]:
        i = torch.as_tensor(idx, dtype=torch.long)
        batch = {"user": self.user[i], "history": self.history[i], "target": self.target[i]}
        if self.targets is not None:
            batch["targets"] = self.targets[i]
        return batch

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return self.__getitems__([i])

    def subset(self, rows: np.ndarray) -> SampleTensors:
        """The samples at `rows` (sorted 0-based indices), same columns."""
        i = torch.as_tensor(rows, dtype=torch.long)
        pick = lambda t: None if t is None else t[i]  # noqa: E731
        return SampleTensors(self.user[i], self.history[i], self.target[i], pick(self.targets))


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


def training_windows(train: Sequences, history_len: int) -> SampleTensors:
    """Stretches of each training sequence with every position a target (SASRec-style training).

    A user's sequence s_1..s_n is cut from its end into windows of `history_len` targets: the
    window's inputs are the items just before its targets, so s_2..s_n are each a target exactly
    once and see up to `history_len` items (the window's own, left to right). One window per
    user when n <= history_len + 1. Both `history` and `targets` are left-padded with -1, newest
    last; `target` is each window's newest target. Windows never cross users and never hold a
    validation or test item (they are cut from the training sequences only).
    """
    H = history_len
    lengths = np.diff(train.offsets)
    n_windows = np.maximum(lengths - 1 + H - 1, 0) // H  # ceil((n - 1) / H)
    user = np.repeat(np.arange(train.n_users, dtype=np.int64), n_windows)
    k = np.arange(len(user)) - np.repeat(np.cumsum(n_windows) - n_windows, n_windows)  # from the end
    end = train.offsets[user] + lengths[user] - k * H  # one past the window's newest target
    pos = end[:, None] - H + np.arange(H)[None, :]  # flat positions of the targets
    valid = pos >= train.offsets[user][:, None] + 1  # a target needs an item before it
    targets = np.where(valid, train.items[np.where(valid, pos, 0)], -1)
    history = np.where(valid, train.items[np.where(valid, pos - 1, 0)], -1)
    return SampleTensors(
        user=torch.as_tensor(user),
        history=torch.as_tensor(history.reshape(-1, H)),
        target=torch.as_tensor(targets[:, -1].copy()),
        targets=torch.as_tensor(targets.reshape(-1, H)),
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
