"""The leave-one-out split (docs/method.md section 1).

train = every item but the last two, validation target = the second-to-last, test target = the
last. Users with fewer than 3 interactions cannot be split; they are dropped with a counted
warning (documented in the README) rather than silently mis-split.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from datamodules.interactions import Interactions, Sequences
from kitbase.errors import DataFormatError

MIN_INTERACTIONS = 3


@dataclass(frozen=True)
class LeaveOneOut:
    """A split dataset. Only `train` may be shown to an indexer or used to build features."""

    data: Interactions  # the users that survived the split, all their interactions
    train: Sequences  # (n_users) sequences without their last two items
    valid_target: np.ndarray  # (n_users,) item index held out for validation
    test_target: np.ndarray  # (n_users,) item index held out for test

    @property
    def n_users(self) -> int:
        return self.train.n_users

    @property
    def n_items(self) -> int:
        return self.train.n_items

    def history(self, stage: str) -> Sequences:
        """What a model may read before predicting `stage`'s target.

        For validation that is the training sequence; for test it also holds the validation
        item (the standard sequential protocol: the test input ends just before the test item).
        """
        if stage == "test":
            s = self.data.sequences
            offsets = s.offsets - np.arange(s.n_users + 1, dtype=np.int64)
            keep = np.ones(len(s.items), dtype=bool)
            keep[s.offsets[1:] - 1] = False
            return Sequences(offsets, s.items[keep], s.n_items)
        return self.train


def drop_short_users(data: Interactions, min_len: int = MIN_INTERACTIONS) -> Interactions:
    """Drop users with fewer than `min_len` interactions, warning with the count."""
    s = data.sequences
    keep = s.lengths >= min_len
    if keep.all():
        return data
    n_drop = int((~keep).sum())
    if keep.sum() == 0:
        raise DataFormatError(
            f"{data.source}: no user has the {min_len} interactions a leave-one-out split needs"
        )
    warnings.warn(
        f"{data.source}: dropped {n_drop} user(s) with fewer than {min_len} interactions "
        f"({n_drop:,} of {s.n_users:,} users, {int(s.lengths[~keep].sum()):,} of {len(s):,} "
        "interactions; they cannot be split into train, validation and test)",
        stacklevel=2,
    )
    kept = np.flatnonzero(keep)
    seqs = [s.sequence(u) for u in kept]
    return Interactions(
        Sequences.from_lists(seqs, s.n_items), data.user_ids[kept], data.item_ids, data.source
    )


def leave_one_out(data: Interactions) -> LeaveOneOut:
    """Split every user's sequence; see the module docstring."""
    data = drop_short_users(data)
    s = data.sequences
    last = s.offsets[1:] - 1
    test_target = s.items[last]
    valid_target = s.items[last - 1]
    keep = np.ones(len(s.items), dtype=bool)
    keep[last] = False
    keep[last - 1] = False
    offsets = s.offsets - 2 * np.arange(s.n_users + 1, dtype=np.int64)
    train = Sequences(offsets, s.items[keep], s.n_items)
    return LeaveOneOut(data, train, valid_target, test_target)
