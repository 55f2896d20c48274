"""MRR, coverage, average recommended popularity and novelty against hand computations, their
exact merge across processes (what DDP's sum reduction does), and popularity from training only."""

import math

import numpy as np
import pytest
import torch

from datamodules.interactions import Interactions, Sequences
from datamodules.split import leave_one_out
from indexers.sequential import SequentialIndexer
from lightlm.callbacks.metrics_table import metrics_table
from lightlm.generative import GenerativeRecommender
from lightlm.metrics import METRIC_NAMES, CatalogueMetrics, TopKMetrics

COUNTS = torch.tensor([4.0, 2.0, 1.0, 1.0, 0.0])  # training interactions of 5 items, 8 in all


def test_mrr_by_hand():
    ranked = torch.arange(20).repeat(3, 1)
    m = TopKMetrics()
    m.update(ranked, torch.tensor([0, 3, 25]))  # ranks 1, 4, absent
    assert math.isclose(m.compute()["mrr@20"].item(), (1 + 1 / 4 + 0) / 3, rel_tol=1e-6)


def test_catalogue_metrics_by_hand():
    m = CatalogueMetrics(COUNTS, k=2)
    m.update(torch.tensor([[0, 1, 4], [0, 2, 3], [3, -1, -1]]))  # the third item of a row is beyond k
    out = m.compute()
    # Listed items {0, 1, 2, 3} of 5.
    assert math.isclose(out["coverage@2"].item(), 4 / 5, rel_tol=1e-6)
    # Mean count per list: (4 + 2) / 2, (4 + 1) / 2, 1 / 1 (a padded list averages what it has).
    assert math.isclose(out["arp@2"].item(), (3 + 2.5 + 1) / 3, rel_tol=1e-6)
    # -log2(4/8) = 1, -log2(2/8) = 2, -log2(1/8) = 3.
    assert math.isclose(out["novelty@2"].item(), ((1 + 2) / 2 + (1 + 3) / 2 + 3) / 3, rel_tol=1e-6)


def test_an_item_never_trained_on_counts_as_seen_once():
    m = CatalogueMetrics(COUNTS, k=1)
    m.update(torch.tensor([[4]]))
    assert math.isclose(m.compute()["novelty@1"].item(), 3.0, rel_tol=1e-6)  # -log2(1/8), not inf


def _merged(make, batches):
    """One metric over all batches, and two 'ranks' merged as DDP would (sum of every state)."""
    whole, a, b = make(), make(), make()
    for i, args in enumerate(batches):
        whole.update(*args)
        (a if i % 2 == 0 else b).update(*args)
    for name in a._defaults:
        setattr(a, name, getattr(a, name) + getattr(b, name))  # every state has dist_reduce_fx="sum"
    assert all(getattr(fx, "__name__", "") == "dim_zero_sum" for fx in a._reductions.values())
    return whole.compute(), a.compute()


@pytest.mark.parametrize("which", ["topk", "catalogue"])
def test_states_merge_exactly_across_ranks(which):
    g = torch.Generator().manual_seed(0)
    ranked = [torch.randperm(30, generator=g)[:20].repeat(7, 1) for _ in range(4)]
    target = [torch.randint(0, 30, (7,), generator=g) for _ in range(4)]
    if which == "topk":
        whole, merged = _merged(TopKMetrics, list(zip(ranked, target)))
    else:
        counts = torch.randint(0, 9, (30,), generator=g).float()
        whole, merged = _merged(lambda: CatalogueMetrics(counts), [(r,) for r in ranked])
    for k, v in whole.items():
        assert math.isclose(v.item(), merged[k].item(), rel_tol=1e-6), k


def test_popularity_is_training_counts_only_and_the_table_shows_every_metric():
    # Item 24 is every user's test item and item 3 two validation items: neither may count.
    seqs = Sequences.from_lists([[0, 1, 3, 24], [0, 3, 1, 24], [1, 0, 3, 24]], n_items=25)
    data = Interactions(seqs, np.arange(3), np.arange(25), "hand")
    split = leave_one_out(data)
    model = GenerativeRecommender(preset="tiny", top_k=20, num_beams=20)
    model.attach(SequentialIndexer(base=10).fit(split.train), split, 0)
    expected = [3.0, 2.0, 0.0, 1.0] + [0.0] * 21  # train: [0, 1], [0, 3], [1, 0]
    assert model.test_catalogue.popularity.tolist() == expected
    table = metrics_table({f"test/{n}": 0.5 for n in METRIC_NAMES} | {"test/popularity/arp@10": 0.25})
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    for name in METRIC_NAMES:
        assert name in text
    assert "2.00" in text  # arp@10: 0.5 beside the popularity baseline's 0.25
