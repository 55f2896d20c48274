"""The synthetic default dataset: determinism, invariants, and that its structure is real."""

from __future__ import annotations

import numpy as np
import pytest

from datamodules.split import leave_one_out
from datamodules.synthetic import SyntheticConfig, generate, generate_with_communities
from kitbase.errors import ConfigError

SMALL = dict(n_users=300, n_items=120, n_communities=4)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = generate(SyntheticConfig(**SMALL, seed=3))
    b = generate(SyntheticConfig(**SMALL, seed=3))
    c = generate(SyntheticConfig(**SMALL, seed=4))
    assert np.array_equal(a.sequences.offsets, b.sequences.offsets)
    assert np.array_equal(a.sequences.items, b.sequences.items)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != c.fingerprint()
    assert a.source.startswith("synthetic(n_users=300, n_items=120, n_communities=4,")
    assert a.source.endswith("seed=3)")


def test_lengths_no_repeats_and_item_coverage() -> None:
    cfg = SyntheticConfig(**SMALL, min_length=6, mean_length=10)
    data = generate(cfg)
    s = data.sequences
    assert data.n_users == 300 and data.n_items == 120
    assert s.lengths.min() == 6
    assert 9.0 < s.lengths.mean() < 11.0
    for u in range(s.n_users):
        assert len(np.unique(s.sequence(u))) == len(s.sequence(u))
    assert s.items.min() >= 0 and s.items.max() < 120
    assert (np.bincount(s.items, minlength=120) > 0).mean() >= 0.95
    assert data.user_ids.tolist() == list(range(1, 301))
    assert data.item_ids.tolist() == list(range(1, 121))


def test_invalid_fields_are_named() -> None:
    with pytest.raises(ConfigError, match="synthetic.community_focus"):
        SyntheticConfig(community_focus=1.5)
    with pytest.raises(ConfigError, match="synthetic.mean_length"):
        SyntheticConfig(min_length=5, mean_length=4)
    with pytest.raises(ConfigError, match="synthetic.n_communities"):
        SyntheticConfig(n_items=10, n_communities=6)


def recall_at_10(scores: np.ndarray, target: np.ndarray) -> float:
    """Share of users whose target is among the 10 highest scores (full ranking)."""
    top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    return float((top == target[:, None]).any(axis=1).mean())


def test_planted_structure_beats_popularity() -> None:
    """On the default config: community membership alone gives >= 2x popularity's Recall@10
    (so the user-id "direct" task has something to learn), and the most frequent successor of
    the last item beats popularity too (so order matters)."""
    data, community = generate_with_communities(SyntheticConfig())
    split = leave_one_out(data)
    train, n = split.train, split.n_items
    train_users = train.users()
    pop = np.bincount(train.items, minlength=n).astype(float)
    target = split.test_target

    r_pop = recall_at_10(np.tile(pop, (split.n_users, 1)), target)

    by_community = np.zeros((int(community.max()) + 1, n))
    np.add.at(by_community, (community[train_users], train.items), 1.0)
    r_community = recall_at_10(by_community[community] + 1e-6 * pop, target)

    same_user = train_users[1:] == train_users[:-1]
    transitions = np.zeros((n, n))
    np.add.at(transitions, (train.items[:-1][same_user], train.items[1:][same_user]), 1.0)
    # The test history ends with the validation item, so that is the item to follow.
    r_successor = recall_at_10(transitions[split.valid_target] + 1e-6 * pop, target)

    assert 0.05 < r_pop < 0.2
    assert r_community >= 2 * r_pop
    assert r_successor >= 2 * r_pop
