"""The order of training samples, made resumable mid-epoch.

A run killed mid-epoch and resumed from its last checkpoint must see exactly the batches the
uninterrupted run would have seen. A DataLoader's `shuffle=True` draws each epoch's permutation
from a generator whose state is lost with the process, so instead the permutation is a pure
function of (seed, epoch), and the sampler can start `start` samples into it.

`ResumableSampler` is a `DistributedSampler`: on one process it shuffles everything; under DDP
each rank takes its own shard of the same permutation, and Lightning keeps it as it is (it only
replaces samplers that are not distributed).
"""

from __future__ import annotations

from collections.abc import Iterator

from torch.utils.data import Dataset, DistributedSampler


class ResumableSampler(DistributedSampler):
    """Shuffles with a permutation that depends only on (seed, epoch); can start mid-epoch.

    Args:
        dataset: the training samples.
        seed: seed of every epoch's permutation (epoch e uses seed + e, as `DistributedSampler`).
        num_replicas, rank: the process group shape; (1, 0) on a single process.
        epoch: the epoch to draw first (Lightning calls `set_epoch` for the later ones).
        start: samples of this rank's share of the first epoch already consumed; they are
            skipped once, and every later epoch starts from its beginning. `len()` stays the
            full epoch, so the trainer's count of batches per epoch does not change.
    """

    def __init__(
        self,
        dataset: Dataset,
        seed: int,
        num_replicas: int = 1,
        rank: int = 0,
        epoch: int = 0,
        start: int = 0,
    ) -> None:
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=True, seed=seed)
        self.epoch = epoch
        self.start = start

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        start, self.start = self.start, 0
        return iter(indices[start:])
