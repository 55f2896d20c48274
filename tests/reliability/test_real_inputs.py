"""The raw files people have, trained on through the CLI as a new user would: Amazon review
dumps (JSON lines, plain and gzip, both releases' schemas), ids kept as written from input to
predictions, every filter's drop reported, and a cache file that is not an index."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from conftest import N_USERS, run_main, tiny_config, write_config

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig, generate
from indexers.sequential import SequentialIndexer


def _quick_config(root: Path) -> Path:
    return write_config(
        root / "run.yaml",
        tiny_config(trainer={"max_epochs": 1}, checkpoint={"dirpath": "ck", "every_n_train_steps": None}),
    )


def _histories(n_dense: int, n_sparse: int, seed: int = 0) -> list[tuple[str, list[str]]]:
    """(user id, items oldest first): dense users with 8 of 30 items, sparse ones with 2.
    Ids have leading zeros, which a reader that parses them as numbers would lose."""
    rng = np.random.default_rng(seed)
    items = [f"0B{k:03d}" for k in range(30)]
    users = [f"A{u:04d}" for u in range(n_dense + n_sparse)]
    return [(u, list(rng.choice(items, 8 if n < n_dense else 2, replace=False))) for n, u in enumerate(users)]


def _fit_and_predict(root: Path, *data_args: str) -> tuple[pl.DataFrame, list[str]]:
    """`lightlm fit` then `lightlm predict` on the data: (predictions read as text, warnings)."""
    config = _quick_config(root)
    with warnings.catch_warnings(record=True) as caught:  # the readers' drop reports, if any
        warnings.simplefilter("always")
        code, err = run_main("fit", "--config", str(config), *data_args)
        assert code == 0, err
        code, err = run_main("predict", "--config", str(config), *data_args)
        assert code == 0, err
    predictions = pl.read_csv(root / "predictions.csv", infer_schema=False)
    return predictions, [str(w.message) for w in caught]


def test_amazon_2018_gzip_json_lines_with_the_preset(in_tmp):
    histories = _histories(n_dense=60, n_sparse=60)
    records = [
        {"overall": 5.0, "reviewerID": u, "asin": i, "reviewText": "a,\tb", "unixReviewTime": 1400000000 + t}
        for u, seq in histories
        for t, i in enumerate(seq)
    ]  # fmt: skip
    path = in_tmp / "reviews_Beauty.json.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    predictions, warned = _fit_and_predict(
        in_tmp, "--data.path", str(path), "--data.log.preset", "amazon-2018"
    )
    # The default 5-core drops the 60 two-item users, and says so.
    assert any(
        "k_core=5 (--data.log.k_core" in w
        and "dropped 60 of 120 users" in w
        and "120 of 600 interactions" in w
        for w in warned
    ), warned
    dense = {u for u, seq in histories if len(seq) == 8}
    assert set(predictions["user"]) == dense
    assert set(predictions["item"]) <= {i for _, seq in histories for i in seq}
    assert predictions["item"].str.starts_with("0B").all()


def test_amazon_2023_json_lines_with_the_preset(in_tmp):
    histories = _histories(n_dense=50, n_sparse=0, seed=1)
    records = [
        {"rating": 4.0, "asin": f"V{i}", "parent_asin": i, "user_id": u, "timestamp": 1588615855000 + 999 * t}
        for u, seq in histories
        for t, i in enumerate(seq)
    ]  # fmt: skip
    path = in_tmp / "Beauty.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    predictions, _ = _fit_and_predict(in_tmp, "--data.path", str(path), "--data.log.preset", "amazon-2023")
    assert set(predictions["user"]) == {u for u, _ in histories}
    assert predictions["item"].str.starts_with("0B").all()  # parent_asin, not the variant's asin


def test_p5_ids_come_back_as_written(in_tmp):
    # '0001' and '1' are two users, '007' and '7' two items, and an id beyond int64 is kept.
    rng = np.random.default_rng(2)
    items = ["007", "7", "18446744073709551616"] + [f"{k:02d}" for k in range(20)]
    users = ["0001", "1"] + [f"{u}" for u in range(2, 60)]
    lines = [" ".join([u, *rng.choice(items, 6, replace=False)]) for u in users]
    path = in_tmp / "data.txt.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    code, err = run_main("fit", "--config", str(_quick_config(in_tmp)), "--data.path", str(path))
    assert code == 0, err
    code, err = run_main("predict", "--config", str(_quick_config(in_tmp)), "--data.path", str(path))
    assert code == 0, err
    predictions = pl.read_csv(in_tmp / "predictions.csv", infer_schema=False)
    assert set(predictions["user"]) == set(users)
    assert set(predictions["item"]) <= set(items)
    assert {"007", "7"} <= set(predictions["item"])


def test_a_cache_file_that_is_not_an_index_is_one_clear_error(in_tmp):
    config = _quick_config(in_tmp)
    data = RecDataModule(
        synthetic=SyntheticConfig(n_users=N_USERS, n_items=80),
        indexer=SequentialIndexer(base=10),
        cache_dir="cache",
    )
    cached = data.index_cache_path(generate(data.synthetic).fingerprint())
    cached.parent.mkdir()
    cached.write_bytes(bytes(range(256)))
    code, err = run_main("fit", "--config", str(config))
    assert code == 2, err
    assert f"{cached}: not a valid index file" in err
    assert "it is a cached index: delete it to rebuild" in err
    assert "Traceback" not in err
    assert not (in_tmp / "ck").exists()
