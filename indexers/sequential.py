"""Sequential indexing: items numbered by first appearance in the training sequences."""

from __future__ import annotations

import numpy as np

from datamodules.interactions import Sequences
from indexers.base import Indexer, digit_codes
from kitbase.errors import ConfigError


class SequentialIndexer(Indexer):
    """Numbers items in order of first appearance (users in file order), written as digits.

    Items consecutive in some user's history get nearby numbers, hence shared leading digits.
    Items absent from training (seen only as someone's held-out item) are numbered last.

    Args:
        base: digits per level.
    """

    name = "sequential"

    def __init__(self, base: int = 100, seed: int = 0, user_tokens: str = "atomic") -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        if base < 2:  # base 1 cannot write two different codes
            raise ConfigError(f"--data.indexer.base must be at least 2, got {base}")
        self.base = base

    def encode(self, train: Sequences) -> tuple[np.ndarray, None]:
        _, first = np.unique(train.items, return_index=True)
        seen = train.items[np.sort(first)]
        unseen = np.setdiff1d(np.arange(train.n_items), seen)
        order = np.concatenate([seen, unseen])
        numbers = np.empty(train.n_items, dtype=np.int64)
        numbers[order] = np.arange(train.n_items)
        return digit_codes(numbers, self.base), None
