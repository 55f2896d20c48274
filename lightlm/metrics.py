"""Recall@k and NDCG@k for one held-out item per user, as torchmetrics `Metric`s.

With a single target, Recall@k is Hit@k and NDCG@k is 1/log2(rank + 1) for a 1-based rank <= k
(the ideal DCG is 1). States are sums and a count with `dist_reduce_fx="sum"`, so results are
exact under DDP as long as each user is evaluated on exactly one rank.
"""

from __future__ import annotations

import torch
from torchmetrics import Metric

KS = (5, 10, 20)


def target_ranks(ranked: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1-based rank of `target` (B,) in `ranked` (B, K); K + 1 where it is absent."""
    hit = ranked == target[:, None]
    K = ranked.shape[1]
    first = torch.where(hit.any(1), hit.float().argmax(1), torch.full_like(target, K))
    return first + 1


class TopKMetrics(Metric):
    """Accumulates Recall@k and NDCG@k for k in `ks` from ranked lists and targets."""

    full_state_update = False

    def __init__(self, ks: tuple[int, ...] = KS) -> None:
        super().__init__()
        self.ks = tuple(ks)
        for k in self.ks:
            self.add_state(f"recall_{k}", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
            self.add_state(f"ndcg_{k}", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, ranked: torch.Tensor, target: torch.Tensor) -> None:
        if ranked.shape[1] < max(self.ks):
            raise ValueError(f"ranked lists have {ranked.shape[1]} items, fewer than k={max(self.ks)}")
        rank = target_ranks(ranked, target).double()
        for k in self.ks:
            inside = rank <= k
            setattr(self, f"recall_{k}", getattr(self, f"recall_{k}") + inside.sum())
            gain = torch.where(inside, 1.0 / torch.log2(rank + 1.0), torch.zeros_like(rank))
            setattr(self, f"ndcg_{k}", getattr(self, f"ndcg_{k}") + gain.sum())
        self.count += len(target)

    def compute(self) -> dict[str, torch.Tensor]:
        n = self.count.clamp(min=1).double()
        out = {}
        for k in self.ks:
            out[f"recall@{k}"] = (getattr(self, f"recall_{k}") / n).float()
            out[f"ndcg@{k}"] = (getattr(self, f"ndcg_{k}") / n).float()
        return out
