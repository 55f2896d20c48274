"""The paired comparison of two runs (`lightlm.comparison`): per-user metrics against a hand computation,
the bootstrap interval against the normal approximation, the comparison within groups of users, and
the refusals that name the file."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from kitbase.errors import ConfigError, DataFormatError
from lightlm.comparison import (
    compare,
    paired_difference,
    read_ranks,
    strata,
    user_values,
)


def _write(path, users, ranks, items=None, list_len=20, **columns):
    items = items or [f"i{u}" for u in users]
    pl.DataFrame(
        {
            "user": users,
            "item": items,
            "rank": pl.Series(ranks, dtype=pl.Int64),
            "list_len": [list_len] * len(users),
            **columns,
        }
    ).write_csv(path)
    return path


def test_user_values_match_a_hand_computation(tmp_path):
    # Written unsorted: read back sorted by user (u1, u2, u3, u4) with ranks 1, 3, none, 10.
    frame = read_ranks(_write(tmp_path / "a.csv", ["u3", "u1", "u4", "u2"], [None, 1, 10, 3]))
    assert frame["user"].to_list() == ["u1", "u2", "u3", "u4"]
    assert user_values(frame, "recall@5").tolist() == [1.0, 1.0, 0.0, 0.0]
    assert user_values(frame, "recall@10").tolist() == [1.0, 1.0, 0.0, 1.0]
    assert np.allclose(user_values(frame, "ndcg@10"), [1.0, 0.5, 0.0, 1 / math.log2(11)])
    assert np.allclose(user_values(frame, "ndcg@5"), [1.0, 0.5, 0.0, 0.0])
    assert np.allclose(user_values(frame, "mrr@20"), [1.0, 1 / 3, 0.0, 0.1])


def test_paired_difference_of_a_known_sample():
    a = np.zeros(3)
    b = np.array([1.0, 2.0, 3.0])  # differences: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 3.464 with 2 df
    row = paired_difference(a, b, resamples=2000)
    assert row["difference"] == 2.0 and row["b_better"] == 3 and row["a_better"] == 0
    assert row["p_value"] == pytest.approx(0.0742, abs=2e-4)  # t table: P(|T_2| > 3.464)
    assert 1.0 <= row["ci_low"] <= row["ci_high"] <= 3.0  # a mean of resampled {1, 2, 3}
    same = paired_difference(b, b, resamples=200)
    assert (same["difference"], same["ci_low"], same["ci_high"], same["p_value"]) == (0.0, 0.0, 0.0, 1.0)


def test_bootstrap_interval_matches_the_normal_approximation():
    rng = np.random.default_rng(1)
    n = 4000
    a = (rng.random(n) < 0.10).astype(float)  # hit rates of two models, 10% and 12%
    b = (rng.random(n) < 0.12).astype(float)
    row = paired_difference(a, b, resamples=4000, seed=3)
    d = b - a
    half = 1.96 * d.std(ddof=1) / math.sqrt(n)
    assert row["difference"] == pytest.approx(d.mean())
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * half, rel=0.08)
    assert (row["ci_low"] + row["ci_high"]) / 2 == pytest.approx(d.mean(), abs=0.15 * half)
    again = paired_difference(a, b, resamples=4000, seed=3)
    assert (again["ci_low"], again["ci_high"]) == (row["ci_low"], row["ci_high"])  # seeded


def test_seeds_are_averaged_per_user_before_pairing(tmp_path):
    users = ["u1", "u2"]
    a = [_write(tmp_path / "a.csv", users, [1, None])]  # ndcg@10 per user: 1, 0
    b = [_write(tmp_path / "b0.csv", users, [3, 1]), _write(tmp_path / "b1.csv", users, [None, 1])]
    (row,) = compare(a, b, ["ndcg@10"], resamples=200)[0]
    # B per user: (0.5 + 0) / 2 = 0.25 and (1 + 1) / 2 = 1; differences -0.75 and +1
    assert row["a"] == pytest.approx(0.5) and row["b"] == pytest.approx(0.625)
    assert row["difference"] == pytest.approx(0.125) and (row["b_better"], row["a_better"]) == (1, 1)


def test_refusals_name_the_file_or_option(tmp_path):
    a = _write(tmp_path / "a.csv", ["u1", "u2"], [1, 2], items=["i1", "i2"])
    other = _write(tmp_path / "other.csv", ["u1", "u3"], [1, 2], items=["i1", "i3"])
    with pytest.raises(DataFormatError, match=r"other\.csv: scores other users .*user u3"):
        compare([a], [other], ["ndcg@10"])[0]
    moved = _write(tmp_path / "moved.csv", ["u1", "u2"], [1, 2], items=["i1", "i9"])
    with pytest.raises(DataFormatError, match=r"moved\.csv: .*user u2, item i9"):
        compare([a], [moved], ["ndcg@10"])[0]
    with pytest.raises(ConfigError, match=r"ndcg@50 needs lists of 50 items; .*a\.csv lists 20"):
        compare([a], [a], ["ndcg@50"])[0]
    with pytest.raises(ConfigError, match="unknown metric 'hit@10'"):
        compare([a], [a], ["hit@10"])[0]
    with pytest.raises(ConfigError, match="--confidence must lie between 0 and 1, got 95"):
        compare([a], [a], ["ndcg@10"], confidence=95)[0]
    with pytest.raises(ConfigError, match="--resamples must be at least 100, got 10"):
        compare([a], [a], ["ndcg@10"], resamples=10)[0]
    pl.DataFrame({"user": ["u1"], "rank": [1]}).write_csv(tmp_path / "cols.csv")
    with pytest.raises(DataFormatError, match=r"cols\.csv: missing column\(s\) \['item', 'list_len'\]"):
        read_ranks(tmp_path / "cols.csv")
    twice = _write(tmp_path / "twice.csv", ["u1", "u1"], [1, 2])
    with pytest.raises(DataFormatError, match=r"twice\.csv: user u1 appears more than once"):
        read_ranks(twice)
    outside = _write(tmp_path / "outside.csv", ["u1"], [21])
    with pytest.raises(DataFormatError, match=r"outside\.csv: user u1 has rank 21 outside"):
        read_ranks(outside)
    with pytest.raises(DataFormatError, match=r"missing\.csv: no such file"):
        read_ranks(tmp_path / "missing.csv")


def test_strata_are_quantile_groups_labelled_by_their_values():
    group, labels = strata(np.array([1, 2, 3, 4, 5, 6, 7, 8]), 4)
    assert group.tolist() == [0, 0, 1, 1, 2, 2, 3, 3] and labels == ["1-2", "3-4", "5-6", "7-8"]
    # Ties stay together: the value 1 fills the lower half, so 4 bins make 3 groups.
    group, labels = strata(np.array([1, 1, 1, 1, 1, 2, 9, 40]), 4)
    assert group.tolist() == [0, 0, 0, 0, 0, 1, 2, 2] and labels == ["1", "2", "9-40"]
    group, labels = strata(np.array([5, 3, 5]), 1)
    assert group.tolist() == [0, 0, 0] and labels == ["3-5"]


def test_the_comparison_within_groups_matches_a_hand_computation(tmp_path):
    # Six users; B finds the rare held-out items (train counts 1-2) lower and the popular ones (30-50) higher.
    users = [f"u{i}" for i in range(6)]
    counts = {"item_train_count": [1, 2, 2, 30, 40, 50], "history_len": [3, 3, 4, 9, 9, 12]}
    a = _write(tmp_path / "a.csv", users, [1, 1, 3, None, 3, None], **counts)
    b = _write(tmp_path / "b.csv", users, [3, None, 3, 1, 1, 3], **counts)
    rows = compare([a], [b], ["ndcg@10", "recall@10"], by="item_train_count", bins=2, resamples=500)[1]
    assert [(r["metric"], r["stratum"], r["users"]) for r in rows] == [
        ("ndcg@10", "1-2", 3), ("ndcg@10", "30-50", 3), ("recall@10", "1-2", 3), ("recall@10", "30-50", 3)
    ]  # fmt: skip
    # ndcg@10 per user: rank 1 -> 1, rank 3 -> 0.5, not listed -> 0
    rare, popular = rows[0], rows[1]
    assert rare["a"] == pytest.approx((1 + 1 + 0.5) / 3) and rare["b"] == pytest.approx((0.5 + 0 + 0.5) / 3)
    assert popular["a"] == pytest.approx(0.5 / 3) and popular["b"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert popular["difference"] == pytest.approx(2 / 3)
    assert (popular["b_better"], popular["a_better"]) == (3, 0)
    assert rows[2]["difference"] == pytest.approx(-1 / 3) and rows[3]["difference"] == pytest.approx(2 / 3)
    # The groups' sizes add up to the users, and their weighted means to the overall figure.
    (overall,) = compare([a], [b], ["ndcg@10"], resamples=500)[0]
    assert (rows[0]["difference"] * 3 + rows[1]["difference"] * 3) / 6 == pytest.approx(overall["difference"])
    by_history = compare([a], [b], ["ndcg@10"], by="history_len", bins=2, resamples=500)[1]
    assert [r["stratum"] for r in by_history] == ["3-4", "9-12"]


def test_the_comparison_within_groups_refuses_what_it_cannot_group(tmp_path):
    users = ["u1", "u2", "u3"]
    a = _write(tmp_path / "a.csv", users, [1, 2, 3], item_train_count=[1, 5, 9], history_len=[3, 3, 3])
    old = _write(tmp_path / "old.csv", users, [1, 2, 3])  # written before the columns existed
    with pytest.raises(
        DataFormatError, match=r"old\.csv: no column 'item_train_count' .*score the checkpoint again"
    ):
        compare([a], [old], ["ndcg@10"], by="item_train_count")[1]
    other = _write(
        tmp_path / "other.csv", users, [1, 2, 3], item_train_count=[1, 6, 9], history_len=[3, 3, 3]
    )
    with pytest.raises(
        DataFormatError, match=r"other\.csv: item_train_count of user u2 differs from .*a\.csv"
    ):
        compare([a], [other], ["ndcg@10"], by="item_train_count")[1]
    with pytest.raises(ConfigError, match=r"--bins 3: the item_train_count group 1 holds one user"):
        compare([a], [a], ["ndcg@10"], by="item_train_count", bins=3)[1]
    with pytest.raises(
        ConfigError, match=r"--by must be one of \['item_train_count', 'history_len'\], got 'user'"
    ):
        compare([a], [a], ["ndcg@10"], by="user")[1]
    with pytest.raises(ConfigError, match="--bins must be at least 1, got 0"):
        compare([a], [a], ["ndcg@10"], by="history_len", bins=0)[1]
