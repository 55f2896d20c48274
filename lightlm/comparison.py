"""Paired comparison of two models scored on the same users: is B's lead over A larger than the noise
of the users sampled?

A test split is one sample of users, and every model of a study is scored on that same sample.
Three seeds per model measure the training noise but not the sample's: a lead that every seed
shows can still be a property of these users. Because both models rank the same held-out item
of each user, the comparison is paired: the per-user differences of a metric are averaged, and
the uncertainty of that average is estimated by resampling users with replacement (the paired
bootstrap, a percentile interval) and by the paired t-test. With several files per model (seeds),
each user's metric is first averaged over that model's files, so the interval covers the users
sampled with the training noise averaged in.

The inputs are the per-user files of `lightlm validate|test --results.per_user PATH`
(`lightlm.callbacks.results.ResultsWriter`): columns `user`, `item`, `rank` (empty when the list
misses the item) and `list_len`. Every metric is a function of `rank`: `lightlm.metrics.rank_gains`,
the same that the logged metrics sum. Their columns `item_train_count` and `history_len` split the
users into strata (`compare` with `by`), each compared the same way: where a difference comes from,
for example whether a model's lead is on the popular held-out items and its shortfall on the rare
ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import torch
from scipy import stats

from kitbase.errors import ConfigError, DataFormatError
from lightlm.metrics import rank_gains

RANK_COLUMNS = ("user", "item", "rank", "list_len")
STRATA_COLUMNS = ("item_train_count", "history_len")  # optional: files of before session 25 lack them
_METRIC = re.compile(r"^(recall|ndcg|mrr)@([1-9][0-9]*)$")


def read_ranks(path: str | Path) -> pl.DataFrame:
    """One per-user file as `user, item` (strings), `rank` (Int64, null = not listed), `list_len`,
    sorted by user; refused with the file's name when it is not such a file."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: no such file (write one with --results.per_user)")
    try:
        frame = (
            pl.read_parquet(path)
            if path.suffix == ".parquet"
            else pl.read_csv(path, schema_overrides={"user": pl.Utf8, "item": pl.Utf8})
        )
    except Exception as e:  # polars' own errors say what is malformed
        raise DataFormatError(f"{path}: not a per-user results file ({e})") from None
    missing = [c for c in RANK_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFormatError(
            f"{path}: missing column(s) {missing}; expected {list(RANK_COLUMNS)} "
            "(lightlm validate|test --results.per_user)"
        )
    frame = frame.select(
        pl.col("user").cast(pl.Utf8),
        pl.col("item").cast(pl.Utf8),
        pl.col("rank").cast(pl.Int64),
        pl.col("list_len").cast(pl.Int64),
        *(pl.col(c).cast(pl.Int64) for c in STRATA_COLUMNS if c in frame.columns),
    )
    if frame.height == 0:
        raise DataFormatError(f"{path}: no users")
    if frame["user"].is_duplicated().any():
        user = frame.filter(pl.col("user").is_duplicated())["user"][0]
        raise DataFormatError(f"{path}: user {user} appears more than once")
    bad = frame.filter((pl.col("rank") < 1) | (pl.col("rank") > pl.col("list_len")))
    if bad.height:
        raise DataFormatError(f"{path}: user {bad['user'][0]} has rank {bad['rank'][0]} outside 1..list_len")
    return frame.sort("user")


def user_values(frame: pl.DataFrame, metric: str, source: str = "") -> np.ndarray:
    """(n_users,) float64: each user's `metric` (e.g. `ndcg@10`) from their rank, in `frame`'s order."""
    m = _METRIC.match(metric)
    if m is None:
        raise ConfigError(f"--metrics: unknown metric {metric!r}; use recall@k, ndcg@k or mrr@k")
    name, k = m.group(1), int(m.group(2))
    listed = int(frame["list_len"].min())
    if k > listed:
        raise ConfigError(
            f"--metrics: {metric} needs lists of {k} items; {source or 'a file'} lists {listed}"
        )
    rank = torch.from_numpy(frame["rank"].fill_null(k + 1).to_numpy().astype(np.int64))
    return rank_gains(rank, name, k).numpy()


def paired_difference(
    a: np.ndarray, b: np.ndarray, resamples: int = 10_000, confidence: float = 0.95, seed: int = 0
) -> dict:
    """Mean of `b - a` over users (both (n,)), its percentile bootstrap interval over users, the
    paired t-test's two-sided p-value, and how many users each model serves better."""
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"paired values need two equal 1-D arrays of 2+ users, got {a.shape} and {b.shape}")
    d = b - a
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, 4_000_000 // len(d))  # resamples per draw, to bound memory at large n
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        means[start:stop] = d[rng.integers(0, len(d), size=(stop - start, len(d)))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    p = float(stats.ttest_rel(b, a).pvalue) if np.any(d != d[0]) else (1.0 if d[0] == 0 else 0.0)
    return {
        "users": len(d),
        "a": float(a.mean()),
        "b": float(b.mean()),
        "difference": float(d.mean()),
        "ci_low": float(low),
        "ci_high": float(high),
        "confidence": confidence,
        "p_value": p,
        "b_better": int((d > 0).sum()),
        "a_better": int((d < 0).sum()),
    }


def _model_values(paths: list[Path], frames: list[pl.DataFrame], metric: str) -> np.ndarray:
    """Each user's `metric` averaged over one model's files (its seeds)."""
    return np.mean([user_values(f, metric, str(p)) for p, f in zip(paths, frames)], axis=0)


def read_paired(
    a_paths: list[str | Path], b_paths: list[str | Path]
) -> tuple[list[Path], list[pl.DataFrame]]:
    """Both models' files, A's first, each read by `read_ranks`; refused unless every file holds
    exactly the same users and held-out items (per-user files of the same split)."""
    if not a_paths or not b_paths:
        raise ConfigError("--a and --b each need at least one per-user results file")
    paths = [Path(p) for p in [*a_paths, *b_paths]]
    frames = [read_ranks(p) for p in paths]
    first = frames[0].select("user", "item")
    for path, frame in zip(paths[1:], frames[1:]):
        pairs = frame.select("user", "item")
        if not pairs.equals(first):
            extra = pairs.join(first, on=["user", "item"], how="anti")
            row = extra.row(0) if extra.height else first.join(pairs, on=["user", "item"], how="anti").row(0)
            raise DataFormatError(
                f"{path}: scores other users or held-out items than {paths[0]} ({pairs.height} against "
                f"{first.height} users; first difference: user {row[0]}, item {row[1]}): compare runs "
                "evaluated on the same split and the same users (--data.val_users null for validation)"
            )
    return paths, frames


def _check_options(resamples: int, confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"--confidence must lie between 0 and 1, got {confidence}")
    if resamples < 100:
        raise ConfigError(f"--resamples must be at least 100, got {resamples}")


def strata(values: np.ndarray, bins: int) -> tuple[np.ndarray, list[str]]:
    """Users split by an integer column into at most `bins` groups of about equal size (quantiles;
    tied values stay in one group, so there may be fewer). Returns each user's group (n,) and the
    groups' labels, the smallest and largest value each holds (`"0-6"`, `"41-2010"`)."""
    inner = np.unique(np.quantile(values, np.arange(1, bins) / bins, method="lower"))
    group = np.searchsorted(inner, values, side="left")  # value <= inner[0]: group 0
    kept = np.unique(group)
    group = np.searchsorted(kept, group)  # renumber 0..len(kept)-1 (an empty quantile drops out)
    labels = []
    for g in range(len(kept)):
        v = values[group == g]
        labels.append(f"{v.min()}" if v.min() == v.max() else f"{v.min()}-{v.max()}")
    return group, labels


def _check_column(paths: list[Path], frames: list[pl.DataFrame], by: str) -> None:
    """Every file has the column `by`, with the same value for each user as the first file."""
    for path, frame in zip(paths, frames):
        if by not in frame.columns:
            raise DataFormatError(
                f"{path}: no column {by!r} (per-user files written before it existed); score the "
                "checkpoint again with lightlm validate|test --results.per_user"
            )
        if not frame[by].equals(frames[0][by]):
            user = frame.filter(frame[by] != frames[0][by])["user"][0]
            raise DataFormatError(
                f"{path}: {by} of user {user} differs from {paths[0]}'s: were they scored on the same data?"
            )


def compare(
    a_paths: list[str | Path],
    b_paths: list[str | Path],
    metrics: list[str],
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
    by: str | None = None,
    bins: int = 4,
) -> tuple[list[dict], list[dict]]:
    """Model A's files against model B's (per-user files of the same split: every file must hold
    exactly the same users and held-out items), read once: one `paired_difference` per metric over
    all users, and with `by` (a column of `STRATA_COLUMNS`) one per metric and group of `strata`
    (`bins` quantile groups), with `by` and `stratum` (the group's label) added; else no group rows.
    Every refusal comes before any figure is computed."""
    _check_options(resamples, confidence)
    if by is not None and by not in STRATA_COLUMNS:
        raise ConfigError(f"--by must be one of {list(STRATA_COLUMNS)}, got {by!r}")
    if bins < 1:
        raise ConfigError(f"--bins must be at least 1, got {bins}")
    paths, frames = read_paired(a_paths, b_paths)
    groups: list[tuple[str, np.ndarray]] = []
    if by is not None:
        _check_column(paths, frames, by)
        group, labels = strata(frames[0][by].to_numpy(), bins)
        groups = [(label, group == g) for g, label in enumerate(labels)]
        for label, inside in groups:
            if inside.sum() < 2:
                raise ConfigError(f"--bins {bins}: the {by} group {label} holds one user; use fewer bins")
    n_a = len(a_paths)
    rows, group_rows = [], []
    for metric in metrics:
        a = _model_values(paths[:n_a], frames[:n_a], metric)
        b = _model_values(paths[n_a:], frames[n_a:], metric)
        rows.append({"metric": metric, **paired_difference(a, b, resamples, confidence, seed)})
        for label, inside in groups:
            rows_in = paired_difference(a[inside], b[inside], resamples, confidence, seed)
            group_rows.append({"metric": metric, "by": by, "stratum": label, **rows_in})
    return rows, group_rows

