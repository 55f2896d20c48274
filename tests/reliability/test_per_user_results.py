"""`--results.per_user` writes each user's rank of their held-out item, whose per-user metrics average
to exactly the figures of the JSON (computed separately, by `TopKMetrics`); `lightlm compare` reads
two such files; bad paths are refused before any data is read."""

from __future__ import annotations

import json
import math
import types

import numpy as np
import polars as pl
import pytest
from conftest import N_USERS, reference_args, run_main, run_main_out, torch_threads

from datamodules.interactions import Interactions, Sequences
from datamodules.split import leave_one_out
from datamodules.synthetic import SyntheticConfig, generate
from lightlm.callbacks.results import ResultsWriter


def _per_user_means(path, k: int = 10) -> dict[str, float]:
    rank = pl.read_csv(path)["rank"].fill_null(10_000).cast(pl.Float64)
    return {
        f"recall@{k}": float((rank <= k).mean()),
        f"ndcg@{k}": float(((rank <= k) / (rank + 1).log(2)).mean()),
        "mrr@20": float(((rank <= 20) / rank).mean()),
    }


def test_per_user_ranks_average_to_the_reported_metrics(reference_run, in_tmp):
    args = reference_args(reference_run, in_tmp)
    with torch_threads(1):
        code, err = run_main("test", *args, "--results.per_user", str(in_tmp / "{stage}_users.csv"))
        assert code == 0, err
        code, err = run_main("validate", *args, "--results.per_user", str(in_tmp / "{stage}_users.parquet"))
        assert code == 0, err
    frame = pl.read_csv(in_tmp / "test_users.csv")
    columns = ["user", "item", "rank", "list_len", "item_train_count", "history_len"]
    assert frame.columns == columns and frame.height == N_USERS
    assert frame["user"].n_unique() == N_USERS and (frame["list_len"] == 20).all()
    assert frame["rank"].null_count() < N_USERS  # some held-out items were found...
    assert frame["rank"].drop_nulls().is_between(1, 20).all()  # ...at ranks within the list
    reported = json.loads((in_tmp / "test_metrics.json").read_text())["metrics"]
    for name, value in _per_user_means(in_tmp / "test_users.csv").items():
        assert math.isclose(value, reported[f"test/{name}"], rel_tol=1e-6, abs_tol=1e-9), name
    pl.read_parquet(in_tmp / "validate_users.parquet").write_csv(in_tmp / "validate_users.csv")
    reported = json.loads((in_tmp / "validate_metrics.json").read_text())["metrics"]
    for name, value in _per_user_means(in_tmp / "validate_users.csv").items():
        assert math.isclose(value, reported[f"val/{name}"], rel_tol=1e-6, abs_tol=1e-9), name

    # The run against itself: level, and the interval is a point.
    code, out, err = run_main_out(
        "compare",
        "--a",
        str(in_tmp / "test_users.csv"),
        "--b",
        str(in_tmp / "test_users.csv"),
        "--out",
        str(in_tmp / "same.json"),
    )
    assert code == 0, err
    rows = json.loads((in_tmp / "same.json").read_text())["rows"]
    assert [r["metric"] for r in rows] == ["ndcg@10", "recall@10", "ndcg@20", "recall@20"]
    assert all(r["difference"] == r["ci_low"] == r["ci_high"] == 0.0 and r["p_value"] == 1.0 for r in rows)
    test_ndcg = json.loads((in_tmp / "test_metrics.json").read_text())["metrics"]["test/ndcg@10"]
    assert rows[0]["a"] == pytest.approx(test_ndcg, rel=1e-6) and "paired over 201 users" in out
    # Validation and test hold different held-out items: not a paired comparison.
    code, err = run_main(
        "compare", "--a", str(in_tmp / "test_users.csv"), "--b", str(in_tmp / "validate_users.csv")
    )
    assert code == 2 and "validate_users.csv: scores other users or held-out items than" in err


def test_per_user_strata_columns_match_a_count_of_the_data(reference_run, in_tmp):
    # The reference run's data, drawn again and counted by hand: each held-out item's training
    # interactions (every sequence without its last two items) and the user's history before it.
    data = generate(SyntheticConfig(n_users=N_USERS, n_items=80))
    seqs = {str(data.user_ids[u]): data.sequences.sequence(u) for u in range(data.n_users)}
    train_count: dict[str, int] = {}
    for seq in seqs.values():
        for i in seq[:-2]:
            train_count[str(data.item_ids[i])] = train_count.get(str(data.item_ids[i]), 0) + 1
    args = reference_args(reference_run, in_tmp)
    with torch_threads(1):
        for stage in ("test", "validate"):
            code, err = run_main(stage, *args, "--results.per_user", str(in_tmp / "{stage}.csv"))
            assert code == 0, err
    for stage, back in (("test", 1), ("validate", 2)):
        ids_as_text = {"user": pl.Utf8, "item": pl.Utf8}
        rows = pl.read_csv(in_tmp / f"{stage}.csv", schema_overrides=ids_as_text).rows(named=True)
        assert len(rows) == N_USERS
        for r in rows:
            seq = seqs[r["user"]]
            assert r["item"] == str(data.item_ids[seq[-back]]), (stage, r)
            assert r["history_len"] == len(seq) - back, (stage, r)
            assert r["item_train_count"] == train_count.get(r["item"], 0), (stage, r)
    # Not constant: the groups of `lightlm compare --by` have something to cut.
    assert len({r["item_train_count"] for r in rows}) > 5 and len({r["history_len"] for r in rows}) > 5

    code, out, err = run_main_out(
        "compare", "--a", str(in_tmp / "test.csv"), "--b", str(in_tmp / "test.csv"),
        "--by", "history_len", "--bins", "3", "--metrics", "ndcg@10", "--out", str(in_tmp / "by.json"),
    )  # fmt: skip
    assert code == 0, err
    record = json.loads((in_tmp / "by.json").read_text())
    assert sum(r["users"] for r in record["strata"]) == N_USERS and len(record["strata"]) == 3
    assert all(r["by"] == "history_len" and r["difference"] == 0.0 for r in record["strata"])
    assert "within groups by history_len" in out


def test_bad_per_user_paths_are_refused_before_reading_data(reference_run, in_tmp):
    args = reference_args(reference_run, in_tmp)
    code, err = run_main("test", *args, "--results.per_user", str(in_tmp / "users.txt"))
    assert code == 2 and "--results.per_user must end in .csv or .parquet" in err
    (in_tmp / "taken").mkdir()
    code, err = run_main("test", *args, "--results.per_user", str(in_tmp / "taken"))
    assert code == 2 and "--results.per_user must end in .csv or .parquet" in err
    (in_tmp / "file").write_text("")
    code, err = run_main("test", *args, "--results.per_user", str(in_tmp / "file" / "users.csv"))
    assert code == 2 and "--results.per_user: cannot create" in err
    assert not list(in_tmp.glob("test_metrics.json"))  # refused before the run: nothing written
    with torch_threads(1):
        code, err = run_main("test", *args, "--results.per_user", str(in_tmp / "taken" / "x" / "{stage}.csv"))
    assert code == 0, err  # a folder that does not exist yet is made
    assert pl.read_csv(in_tmp / "taken" / "x" / "test.csv").height == N_USERS


def test_a_rank_without_users_writes_the_columns_and_no_rows(tmp_path):
    # Under DDP a rank may evaluate no user (fewer users than ranks); it must still join the gather
    # with empty rows rather than skip it, and one process with no user writes just the header.
    users, items = np.array(["u0", "u1"]), np.array(["i0", "i1"])
    sequences = Sequences.from_lists([[0, 1, 0], [1, 0, 1]], 2)
    split = leave_one_out(Interactions(sequences, users, items, "two users"))
    trainer = types.SimpleNamespace(
        world_size=1, is_global_zero=True, datamodule=types.SimpleNamespace(split=split)
    )
    writer = ResultsWriter(per_user=str(tmp_path / "users.csv"))
    frame = writer._per_user_frame(trainer, "test")
    assert frame.columns == ["user", "item", "rank", "list_len", "item_train_count", "history_len"]
    assert frame.height == 0
