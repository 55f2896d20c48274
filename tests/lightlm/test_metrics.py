"""Recall/NDCG against a hand computation and torchmetrics' retrieval metrics."""

import math

import torch
from torchmetrics.retrieval import RetrievalNormalizedDCG, RetrievalRecall

from lightlm.metrics import TopKMetrics, target_ranks


def test_hand_computed_values():
    ranked = torch.tensor([[5, 3, 9, 1, 2, 7, 8, 0, 4, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]] * 3)
    target = torch.tensor([5, 1, 99])  # ranks 1, 4, absent
    assert target_ranks(ranked, target).tolist() == [1, 4, 21]
    m = TopKMetrics()
    m.update(ranked, target)
    out = m.compute()
    assert math.isclose(out["recall@5"].item(), 2 / 3, rel_tol=1e-6)
    assert math.isclose(out["ndcg@5"].item(), (1.0 + 1 / math.log2(5)) / 3, rel_tol=1e-6)
    assert math.isclose(out["ndcg@10"].item(), out["ndcg@5"].item(), rel_tol=1e-6)


def test_matches_torchmetrics_retrieval():
    g = torch.Generator().manual_seed(0)
    n_users, n_items = 50, 40
    scores = torch.rand(n_users, n_items, generator=g)
    target = torch.randint(0, n_items, (n_users,), generator=g)
    ranked = scores.argsort(1, descending=True)[:, :20]
    ours = TopKMetrics()
    ours.update(ranked, target)
    ours = ours.compute()
    indexes = torch.arange(n_users).repeat_interleave(n_items)
    rel = torch.zeros(n_users, n_items, dtype=torch.bool)
    rel[torch.arange(n_users), target] = True
    for k in (5, 10, 20):
        rec = RetrievalRecall(top_k=k)(scores.flatten(), rel.flatten(), indexes=indexes)
        ndcg = RetrievalNormalizedDCG(top_k=k)(scores.flatten(), rel.flatten(), indexes=indexes)
        assert math.isclose(ours[f"recall@{k}"].item(), rec.item(), rel_tol=1e-5)
        assert math.isclose(ours[f"ndcg@{k}"].item(), ndcg.item(), rel_tol=1e-5)


def test_accumulates_over_batches_like_one_batch():
    ranked = torch.arange(20).repeat(4, 1)
    target = torch.tensor([0, 3, 19, 25])
    whole, parts = TopKMetrics(), TopKMetrics()
    whole.update(ranked, target)
    parts.update(ranked[:1], target[:1])
    parts.update(ranked[1:], target[1:])
    for k, v in whole.compute().items():
        assert math.isclose(v.item(), parts.compute()[k].item(), rel_tol=1e-6)
