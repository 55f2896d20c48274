"""The evaluation metrics, as torchmetrics `Metric`s, and the one registry of their names.

Accuracy, for one held-out item per user: Recall@k is Hit@k, NDCG@k is 1/log2(rank + 1) for a
1-based rank <= k (the ideal DCG is 1), MRR@20 is 1/rank within the top 20 (0 beyond).
Beyond accuracy, over the top-`BEYOND_K` lists alone (no target needed): catalogue coverage,
average recommended popularity (ARP) and novelty, where popularity is an item's count of
*training* interactions (never validation or test ones).

States are sums and counts with `dist_reduce_fx="sum"` (coverage: a per-item count vector), so
results are exact under DDP as long as each user is evaluated on exactly one rank.

Every reporter (the test table, W&B summaries, the ablation tables) reads the names from
`METRICS`; a new metric is computed here and named here, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torchmetrics import Metric

KS = (5, 10, 20)
MRR_K = max(KS)
BEYOND_K = 10


@dataclass(frozen=True)
class MetricName:
    """A metric as logged (`test/<name>`, `test/popularity/<name>`, `val/<name>`)."""

    name: str
    description: str
    accuracy: bool  # computed against the held-out item (also logged for validation)


METRICS: tuple[MetricName, ...] = (
    *(MetricName(f"recall@{k}", f"share of users whose held-out item is in the top {k}", True) for k in KS),
    *(MetricName(f"ndcg@{k}", f"1/log2(rank + 1) of the held-out item within the top {k}", True) for k in KS),
    MetricName(f"mrr@{MRR_K}", f"1/rank of the held-out item within the top {MRR_K}", True),
    MetricName(f"coverage@{BEYOND_K}", f"share of the catalogue in any user's top {BEYOND_K}", False),
    MetricName(f"arp@{BEYOND_K}", f"mean training interactions of a top-{BEYOND_K} item", False),
    MetricName(f"novelty@{BEYOND_K}", f"mean -log2 training share of a top-{BEYOND_K} item", False),
)
ACCURACY_METRICS = tuple(m.name for m in METRICS if m.accuracy)
METRIC_NAMES = tuple(m.name for m in METRICS)


def target_ranks(ranked: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1-based rank of `target` (B,) in `ranked` (B, K); K + 1 where it is absent."""
    hit = ranked == target[:, None]
    K = ranked.shape[1]
    first = torch.where(hit.any(1), hit.float().argmax(1), torch.full_like(target, K))
    return first + 1


def rank_gains(rank: torch.Tensor, metric: str, k: int) -> torch.Tensor:
    """Each user's `metric` (`recall`, `ndcg` or `mrr`) at cutoff `k` from the 1-based rank of their
    held-out item, float64 (B,) from `rank` (B,): Recall@k 1 within the top k, NDCG@k
    1/log2(rank + 1), MRR@k 1/rank, each 0 beyond k (so an absent item's K + 1 scores 0). The one
    definition: `TopKMetrics` sums it, `lightlm.comparison` pairs it user by user."""
    rank = rank.double()
    inside = rank <= k
    if metric == "recall":
        return inside.double()
    if metric == "ndcg":
        gain = 1.0 / torch.log2(rank + 1.0)
    elif metric == "mrr":
        gain = 1.0 / rank
    else:
        raise ValueError(f"unknown metric {metric!r}; use recall, ndcg or mrr")
    return torch.where(inside, gain, torch.zeros_like(rank))


class TopKMetrics(Metric):
    """Accumulates Recall@k and NDCG@k for k in `ks`, and MRR@`MRR_K`, from ranked lists and targets."""

    full_state_update = False

    def __init__(self, ks: tuple[int, ...] = KS) -> None:
        super().__init__()
        self.ks = tuple(ks)
        for k in self.ks:
            self.add_state(f"recall_{k}", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
            self.add_state(f"ndcg_{k}", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("reciprocal_rank", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, ranked: torch.Tensor, target: torch.Tensor) -> None:
        if ranked.shape[1] < max(self.ks):
            raise ValueError(f"ranked lists have {ranked.shape[1]} items, fewer than k={max(self.ks)}")
        rank = target_ranks(ranked, target)
        for k in self.ks:
            setattr(self, f"recall_{k}", getattr(self, f"recall_{k}") + rank_gains(rank, "recall", k).sum())
            setattr(self, f"ndcg_{k}", getattr(self, f"ndcg_{k}") + rank_gains(rank, "ndcg", k).sum())
        self.reciprocal_rank += rank_gains(rank, "mrr", MRR_K).sum()
        self.count += len(target)

    def compute(self) -> dict[str, torch.Tensor]:
        n = self.count.clamp(min=1).double()
        out = {}
        for k in self.ks:
            out[f"recall@{k}"] = (getattr(self, f"recall_{k}") / n).float()
            out[f"ndcg@{k}"] = (getattr(self, f"ndcg_{k}") / n).float()
        out[f"mrr@{MRR_K}"] = (self.reciprocal_rank / n).float()
        return out


class CatalogueMetrics(Metric):
    """Coverage, average recommended popularity and novelty of top-`k` lists.

    Args:
        train_counts: (n_items,) training interactions of each item: the popularity.
        k: list length considered.

    Per user, ARP and novelty average over the user's (up to) `k` listed items, then over users.
    Novelty of an item is -log2(c / C), c its training count floored at 1 (an item never seen in
    training counts as seen once, so its information is finite), C all training interactions.
    Coverage is the share of the catalogue listed for at least one user.
    """

    full_state_update = False

    def __init__(self, train_counts: torch.Tensor, k: int = BEYOND_K) -> None:
        super().__init__()
        self.k = k
        counts = torch.as_tensor(train_counts, dtype=torch.float64)
        self.register_buffer("popularity", counts, persistent=False)
        self.register_buffer("information", -torch.log2(counts.clamp(min=1) / counts.sum().clamp(min=1)),
                             persistent=False)
        self.add_state("listed", torch.zeros(len(counts), dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("popularity_sum", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("novelty_sum", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, ranked: torch.Tensor) -> None:
        """ranked (B, >= k) item indices best first, -1 pads."""
        top = ranked[:, : self.k]
        valid = top >= 0
        items = top.clamp(min=0)
        n = valid.sum(1).clamp(min=1).double()  # (B,)
        self.listed += torch.bincount(items[valid], minlength=len(self.listed))
        self.popularity_sum += (self.popularity[items] * valid / n[:, None]).sum()
        self.novelty_sum += (self.information[items] * valid / n[:, None]).sum()
        self.count += len(ranked)

    def compute(self) -> dict[str, torch.Tensor]:
        n = self.count.clamp(min=1).double()
        return {
            f"coverage@{self.k}": ((self.listed > 0).double().mean()).float(),
            f"arp@{self.k}": (self.popularity_sum / n).float(),
            f"novelty@{self.k}": (self.novelty_sum / n).float(),
        }
