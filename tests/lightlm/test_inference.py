"""`lightlm.inference` ranks exactly what `lightlm predict` ranks, from the checkpoint alone."""

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kitbase.errors import DataFormatError
from lightlm.cli.app import LightLMCLI, configure_wandb_env
from lightlm.inference import TrainedRecommender, read_histories

CONF = Path(__file__).resolve().parents[2] / "conf" / "synthetic.yaml"
SMALL = ["--data.synthetic.n_users", "150", "--data.synthetic.n_items", "50", "--trainer.max_epochs", "2",
         "--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
MODELS = {
    "generative-sequential": ["--model.preset", "tiny", "--data.task", "sequential",
                              "--data.history_len", "4"],
    "sasrec": ["--model", "lightlm.sasrec.SASRec", "--model.d_model", "16", "--model.d_ff", "32",
               "--data.task", "sequential", "--data.history_len", "4"],
    "generative-direct": ["--model.preset", "tiny"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{name: (common args, checkpoint dir)}: each model fitted once on tiny synthetic data,
    every command run in a temporary directory (Lightning writes its config.yaml there)."""
    configure_wandb_env()
    root = tmp_path_factory.mktemp("inference")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        out = {}
        for name, model_args in MODELS.items():
            common = ["--config", str(CONF), *SMALL, *model_args, "--checkpoint.dirpath", str(root / name),
                      "--data.cache_dir", str(root / "cache")]
            LightLMCLI(args=["fit", *common])
            out[name] = (common, root / name)
        yield out
    finally:
        os.chdir(cwd)


def _predict(common, path, *extra) -> pl.DataFrame:
    LightLMCLI(args=["predict", *common, "--predictions.path", str(path), *extra])
    return pl.read_csv(path, schema_overrides={"user": pl.String, "item": pl.String})


def _histories(common) -> dict[str, list[str]]:
    """Every user's full sequence in original ids, as `predict` reads it."""
    cli = LightLMCLI(args=common, run=False)
    cli.datamodule.setup("predict")
    data = cli.datamodule.split.data
    seqs = data.sequences
    return {
        str(data.user_ids[u]): [str(i) for i in data.item_ids[seqs.sequence(u)]] for u in range(data.n_users)
    }


def _items(frame: pl.DataFrame, users) -> list[list[str]]:
    frame = frame.with_columns(pl.col("user", "item").cast(pl.String))
    return [frame.filter(pl.col("user") == u).sort("rank")["item"].to_list() for u in users]


@pytest.mark.parametrize("name", ["generative-sequential", "sasrec", "generative-direct"])
def test_same_items_and_scores_as_predict(runs, tmp_path, name):
    common, ckpt = runs[name]
    predicted = _predict(common, tmp_path / "p.csv")
    histories = _histories(common)
    users = list(histories)[:40]
    rec = TrainedRecommender.load(ckpt / "best.ckpt")
    got = rec.recommend({u: histories[u] for u in users}, k=20, batch_size=16)
    assert _items(got, users) == _items(predicted, users)
    expected = predicted.filter(pl.col("user").is_in(users)).sort("user", "rank")["score"].to_numpy()
    scores = got.with_columns(pl.col("user").cast(pl.String)).sort("user", "rank")["score"].to_numpy()
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)
    # A shorter list is the head of the longer one.
    top5 = rec.recommend({u: histories[u] for u in users}, k=5)
    assert _items(top5, users) == [row[:5] for row in _items(predicted, users)]


@pytest.mark.parametrize("name", ["generative-sequential", "sasrec"])
def test_history_exclusion_matches_predict(runs, tmp_path, name):
    common, ckpt = runs[name]
    predicted = _predict(common, tmp_path / "p.csv", "--model.exclude_train_items", "true")
    histories = _histories(common)
    users = list(histories)[:30]
    got = TrainedRecommender.load(ckpt / "best.ckpt").recommend(
        {u: histories[u] for u in users}, k=20, exclude_history=True
    )
    rows = _items(got, users)
    assert rows == _items(predicted, users)
    for u, row in zip(users, rows):
        assert not set(row) & set(histories[u])
        assert len(row) == 20


def test_predict_reads_a_histories_file(runs, tmp_path):
    common, _ = runs["generative-sequential"]
    histories = _histories(common)
    users = list(histories)[:25]
    (tmp_path / "h.txt").write_text("".join(f"{u} {' '.join(histories[u])}\n" for u in users))
    rows = [(u, i) for u in users[:10] for i in histories[u]]
    pl.DataFrame(rows, schema=["user", "item"], orient="row").write_csv(tmp_path / "h.csv")
    full = _predict(common, tmp_path / "all.csv")
    from_txt = _predict(common, tmp_path / "txt.csv", "--predictions.histories", str(tmp_path / "h.txt"))
    from_csv = _predict(common, tmp_path / "csv.csv", "--predictions.histories", str(tmp_path / "h.csv"))
    assert sorted(set(from_txt["user"])) == sorted(users)
    assert _items(from_txt, users) == _items(full, users)
    assert _items(from_csv, users[:10]) == _items(full, users[:10])
    assert read_histories(tmp_path / "h.csv")[0] == (users[0], histories[users[0]])


def test_new_users_and_unknown_items(runs, tmp_path):
    common, ckpt = runs["generative-sequential"]
    histories = _histories(common)
    user, items = next(iter(histories.items()))
    rec = TrainedRecommender.load(ckpt / "best.ckpt")
    new = rec.recommend([("someone-new", items)], k=10, exclude_history=True)
    assert new["user"].to_list() == ["someone-new"] * 10
    assert not set(new["item"].cast(pl.String)) & set(items)
    with pytest.raises(DataFormatError, match="item 'no-such-item' is not in the model's catalogue"):
        rec.recommend({user: [*items, "no-such-item"]})
    with pytest.raises(DataFormatError, match="has no history"):
        rec.recommend({"someone-new": []})
    direct = TrainedRecommender.load(runs["generative-direct"][1] / "best.ckpt")
    with pytest.raises(DataFormatError, match="user 'someone-new' was not seen in training"):
        direct.recommend({"someone-new": items})
    (tmp_path / "bad.txt").write_text(f"{user} {items[0]} 999999\n")
    with pytest.raises(DataFormatError, match=r"bad.txt: user '.*': item '999999'"):
        _predict(common, tmp_path / "x.csv", "--predictions.histories", str(tmp_path / "bad.txt"))
