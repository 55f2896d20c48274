"""Bad input through the CLI: one clear line naming the file, line or option, exit status 2,
no traceback, and nothing half-written left behind (see docs/reliability.md)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from conftest import run_cli, run_main, tiny_config, write_config


def _p5(path: Path, n_users: int = 40, length: int = 6, short: int = 0) -> None:
    """A valid P5 file, plus `short` users with only 2 interactions."""
    rng = np.random.default_rng(0)
    lines = [
        " ".join(map(str, [u, *(rng.choice(30, length, replace=False) + 1)])) for u in range(1, n_users + 1)
    ]
    lines += [f"{n_users + u} 1 2" for u in range(1, short + 1)]
    path.write_text("\n".join(lines) + "\n")


def _files(d: Path) -> None:
    (d / "malformed.txt").write_text("1 2 3 4\n5\n")
    (d / "latin1.txt").write_bytes("1 2 3 4\n2 5 caf\xe9 7\n".encode("latin-1"))
    (d / "cut.txt.gz").write_bytes(gzip.compress(b"1 2 3 4\n" * 50)[:-8])
    (d / "log.csv").write_text("user,item,timestamp\n1,2,3\n1,3,4\n")
    (d / "duphead.csv").write_text("user,item,item,timestamp\n1,2,3,4\n")
    (d / "reviews.json").write_text('{"reviewerID": "A", "asin": "B", "overall": 5, "unixReviewTime": 1}\n')
    (d / "empty.txt").write_text("")
    (d / "dup.txt").write_text("1 2 3 4\n2 5 6 5\n")
    (d / "short.txt").write_text("1 2 3\n2 4\n3 5 6\n")
    (d / "log.xlsx").write_text("{}")
    (d / "nocol.csv").write_text("user,product,timestamp\n1,2,3\n")
    (d / "badts.csv").write_text("user,item,timestamp\n1,2,3\n1,3,yesterday\n")
    (d / "kcore.csv").write_text("user,item,timestamp\n1,2,3\n1,3,4\n2,2,5\n")
    pl.DataFrame({"user": [1.5, 2.5], "item": [1, 2], "timestamp": [1, 2]}).write_parquet(d / "types.parquet")


# (case, extra CLI arguments, what the message must say). Data files live in the run's `data/`.
CASES = [
    ("p5 malformed line", ["--data.path", "data/malformed.txt"], "data/malformed.txt line 2: expected"),
    (
        "p5 not UTF-8",
        ["--data.path", "data/latin1.txt"],
        "data/latin1.txt line 2: byte 0xe9 at column 8 is not UTF-8",
    ),
    ("truncated gzip", ["--data.path", "data/cut.txt.gz"], "data/cut.txt.gz: not a valid gzip file"),
    (
        "csv given to a p5 config",
        ["--data.format", "p5", "--data.path", "data/log.csv"],
        "the file looks like csv (one row per interaction), but the format is p5: "
        "pass --data.format csv (or auto: its suffix says so)",
    ),
    (
        "json lines read as csv",
        ["--data.format", "csv", "--data.path", "data/reviews.json"],
        "the file looks like jsonl (one row per interaction), but the format is csv: "
        "pass --data.format jsonl",
    ),
    (
        "json lines without the preset",
        ["--data.path", "data/reviews.json"],
        "data/reviews.json: no column 'user'; the first record has keys ['reviewerID', 'asin', 'overall', "
        "'unixReviewTime'] (these are the amazon-2018 review dump's columns: "
        "pass --data.log.preset amazon-2018)",
    ),
    (
        "unknown log preset",
        ["--data.path", "data/reviews.json", "--data.log.preset", "amazon-2014"],
        "data.log.preset",
    ),
    (
        "csv header naming a column twice",
        ["--data.path", "data/duphead.csv"],
        "data/duphead.csv line 1: the header names column 'item' twice",
    ),
    ("empty file", ["--data.path", "data/empty.txt"], "data/empty.txt: the file holds no interactions"),
    ("missing file", ["--data.path", "data/nope.txt"], "data/nope.txt: no such data file"),
    (
        "duplicate item in a sequence",
        ["--data.path", "data/dup.txt"],
        "data/dup.txt line 2: item 5 appears twice",
    ),
    ("no user long enough to split", ["--data.path", "data/short.txt"], "no user has the 3 interactions"),
    (
        "unknown file suffix",
        ["--data.path", "data/log.xlsx"],
        "data/log.xlsx: cannot tell the format from the suffix '.xlsx'",
    ),
    (
        "csv missing a named column",
        ["--data.path", "data/nocol.csv"],
        "data/nocol.csv: no item column 'item'",
    ),
    (
        "unparseable timestamp",
        ["--data.path", "data/badts.csv"],
        "data/badts.csv row 2 (line 3): timestamp 'yesterday'",
    ),
    (
        "parquet with wrong types",
        ["--data.path", "data/types.parquet"],
        "column 'user' (user) has type Float64",
    ),
    (
        "k-core that leaves nothing",
        ["--data.path", "data/kcore.csv", "--data.log.k_core", "3"],
        "k-core=3 left no interactions",
    ),
    ("unknown indexer", ["--data.indexer", "indexers.nope.NopeIndexer"], 'key "data.indexer"'),
    ("code base that cannot be met", ["--data.indexer.base", "1"], "--data.indexer.base must be at least 2"),
    (
        "cluster setting that cannot be met",
        ["--data.indexer", "indexers.spectral.SpectralIndexer", "--data.indexer.n_clusters", "1"],
        "--data.indexer.n_clusters must be at least 2",
    ),
    (
        "beams fewer than K",
        ["--model.num_beams", "5"],
        "--model.num_beams (5) must be at least --model.top_k (20)",
    ),
    ("negative learning rate", ["--model.lr", "-0.001"], "--model.lr must be positive"),
    ("unknown option value", ["--data.task", "recommend"], "data.task"),
    ("unknown history input", ["--model.history_input", "tokens"],
     "--model.history_input 'tokens' is unknown"),
    ("unknown decoder start", ["--model.decoder_start", "last"],
     "--model.decoder_start 'last' is unknown"),
    ("zero prefix weight", ["--model.prefix_weight", "0"], "--model.prefix_weight must be positive, got 0.0"),
    ("negative encoder item loss", ["--model.encoder_item_loss", "-1"],
     "--model.encoder_item_loss must be at least 0"),
    ("encoder item loss without an item step", ["--model.encoder_item_loss", "1"],
     "use it with --model.last_step item"),
    ("distillation without an item step", ["--model.distill_from", "teacher.ckpt"],
     "--model.distill_from needs --model.last_step item and --model.item_softmax siblings"),
    (
        "distillation teacher missing",
        ["--model.last_step", "item", "--model.item_softmax", "siblings", "--model.distill_from", "t.ckpt"],
        "--model.distill_from t.ckpt: no such checkpoint (train the teacher first)",
    ),
    ("item rows from no teacher", ["--model.init_items_from_teacher", "true"],
     "--model.init_items_from_teacher needs --model.distill_from (the teacher)"),
    ("windows without the sequential task", ["--data.train_windows", "true"],
     "--data.train_windows needs --data.task sequential"),
    (
        "windows with a non-causal model",
        ["--data.task", "sequential", "--data.train_windows", "true"],
        "needs --model.causal_encoder true",
    ),
    (
        "no user and no history",
        ["--model.user_input", "false"],
        "--model.user_input false leaves the model no input",
    ),
    (
        "predictions file type",
        ["--predictions.path", "out.txt"],
        "--predictions.path must end in .csv or .parquet",
    ),
    (
        "resume from a missing checkpoint",
        ["--ckpt_path", "ck/nope.ckpt"],
        "--ckpt_path: no checkpoint at ck/nope.ckpt",
    ),
]


def _artifacts(root: Path) -> list[str]:
    """Files a failed run must not leave: temporaries, index caches, checkpoints, outputs."""
    found = [p for p in root.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    for pattern in ("cache/*", "ck/*", "predictions.csv", "*_metrics.json"):
        found += [p for p in root.glob(pattern) if p.is_file()]
    return sorted(str(p.relative_to(root)) for p in found)


@pytest.mark.parametrize("args, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_error(in_tmp, args, message):
    (in_tmp / "data").mkdir()
    _files(in_tmp / "data")
    config = write_config(in_tmp / "run.yaml", tiny_config(trainer={"max_epochs": 1}))
    code, err = run_main("fit", "--config", str(config), *args)
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err
    if "lightlm: error:" in err:  # our own errors are exactly one line
        assert len([line for line in err.splitlines() if "error:" in line]) == 1, err
    assert _artifacts(in_tmp) == []


def test_bad_input_matrix_is_large_enough():
    assert len(CASES) >= 15


def test_error_from_a_constructor_exits_cleanly_in_a_real_process(tmp_path):
    """The exit status and stderr of the installed entry point, not only of `main()`: jsonargparse
    wraps a constructor's error, and the CLI must still print one line and exit 2."""
    config = write_config(tmp_path / "run.yaml", tiny_config())
    code, _, err = run_cli(tmp_path, "fit", "--config", str(config), "--model.lr", "-1", timeout=120)
    assert code == 2
    assert err.strip().splitlines()[-1] == "lightlm: error: --model.lr must be positive, got -1.0"
    assert "Traceback" not in err
    assert _artifacts(tmp_path) == []


def test_users_too_short_to_split_are_dropped_with_a_count(in_tmp):
    """We DROP users with fewer than 3 interactions (they cannot be split) and say how many."""
    _p5(in_tmp / "data.txt", short=2)
    config = write_config(
        in_tmp / "run.yaml",
        tiny_config(
            trainer={"max_epochs": 1, "limit_train_batches": 2}, checkpoint={"every_n_train_steps": None}
        ),
    )
    with pytest.warns(UserWarning, match=r"dropped 2 user\(s\) with fewer than 3 interactions"):
        code, err = run_main("fit", "--config", str(config), "--data.path", "data.txt")
    assert code == 0, err
    assert (in_tmp / "ck" / "last.ckpt").is_file()
