"""Random indexing: each item gets a random unique number, written as base-`base` digits."""

from __future__ import annotations

import numpy as np

from datamodules.interactions import Sequences
from indexers.base import Indexer, digit_codes
from kitbase.errors import ConfigError


class RandomIndexer(Indexer):
    """Random item numbers; the baseline that carries no collaborative signal.

    Args:
        base: values per digit; n items need ceil(log_base(n)) digit tokens.
    """

    name = "random"

    def __init__(self, base: int = 100, seed: int = 0, user_tokens: str = "atomic") -> None:
        super().__init__(seed=seed, user_tokens=user_tokens)
        if base < 2:  # base 1 cannot write two different codes
            raise ConfigError(f"--data.indexer.base must be at least 2, got {base}")
        self.base = base

    def encode(self, train: Sequences) -> tuple[np.ndarray, None]:
        numbers = np.random.default_rng(self.seed).permutation(train.n_items)
        return digit_codes(numbers, self.base), None
