"""The README's result tables, regenerated from the result files committed under docs/results/.

A table copied by hand drifts from its source; one generated from the committed files cannot.
Each generated table sits in README.md between `<!-- table:NAME -->` and `<!-- /table:NAME -->`;
only the text between a pair of markers is replaced, the prose around it stays as written.

    python -m lightlm.experiments.tables           # rewrite the marked tables of README.md
    python -m lightlm.experiments.tables --check   # exit 1, naming each table README.md has stale

Run from the repository root (or pass --readme and --results).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# (result key, column header) of the session-3 tables, in order.
SESSION3_METRICS = [
    ("ndcg@10", "test NDCG@10"), ("recall@10", "test Recall@10"), ("ndcg@20", "test NDCG@20"),
    ("recall@20", "test Recall@20"), ("mrr@20", "MRR@20"), ("coverage@10", "coverage@10"),
]
# The columns where the models trained at the same budget are compared: their best is bold.
SESSION3_BOLD = ("ndcg@10", "recall@10", "ndcg@20", "recall@20")


class ResultError(Exception):
    """A result file or a README marker is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Group:
    """One table row: runs of one setting (one run per seed) and how the README labels it."""

    label: str
    runs: tuple[str, ...]  # run folders under docs/results/, e.g. quality-session3/b-sasrec-s0
    epochs: str = ""  # as trained, with the README's footnote marks; empty: best/last epoch of each run
    compared: bool = True  # one of the same-budget models whose best figures are bold
    cpu_note: str = ""  # a footnote mark after the CPU minutes


def _runs(folder: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{folder}/{name}" for name in names)


S3 = "quality-session3"
BEAUTY = (
    Group("generative, item-level last step, user token (`conf/beauty-items.yaml`, 8 epochs)",
          _runs(S3, "b-sib-p1-s0", "b-sib-p1-s1", "b-sib-p1-s2"), "8 (*)"),
    Group("SASRec-CE, same history, windows and epochs",
          _runs(S3, "b-sasrec-s0", "b-sasrec-s1", "b-sasrec-s2"), "8"),
    Group("SASRec-CE, until validation stops improving (patience 3)",
          _runs(S3, "b-sasrec-conv-s0"), "25 of 28", compared=False),
)
TOYS = (
    Group("generative, item-level last step, user token (`conf/toys-items.yaml`, 8 epochs)",
          _runs(S3, "t-sib-p1-s0"), "8",
          cpu_note=" (**)"),
    Group("SASRec-CE, same history, windows and epochs", _runs(S3, "t-sasrec-s0"), "8"),
)

S4 = "quality-session4"
S6 = "quality-session6"
S12 = "quality-session12"
S13 = "quality-session13"
S14 = "quality-session14"
S15 = "quality-session15"
S16 = "quality-session16"
S18 = "quality-session18"
S19 = "quality-session19"  # sessions 19 and 20
S21 = "quality-session21"  # sessions 20 and 21 (Beauty)
S22 = "quality-session22"
S23 = "quality-session23"
S26 = "quality-session26"
# Trained until validation NDCG@10 stops improving (patience 3, at most 40 epochs), history-only
# input (`--model.user_input false`, chosen on validation over the user token of session 3); in
# session 6 also label smoothing 0.1, d_model 64 and 100 co-SCI clusters, chosen on Beauty's
# validation split (docs/quality.md, "Session 6"). SASRec-CE's d_model 128 (session 12) was chosen
# on the same split; the ratio rows compare the generative model with the strongest SASRec-CE. In
# session 13 the generative model is also distilled from that SASRec-CE (its run of the same seed);
# in session 14 its codes are also quantised from that teacher's item embeddings. In session 15
# both models on Toys stop after 6 epochs without progress instead of 3 (the teacher too), chosen
# on Toys validation; in session 16 on Beauty too, chosen on Beauty validation.
BEAUTY_CONVERGED = (
    Group("generative distilled, codes from the teacher's embeddings, patience 6 "
          "(`conf/beauty-distilled.yaml` before session 22, session 16)",
          _runs(S16, "b-sas-kd-pat6-s0", "b-sas-kd-pat6-s1", "b-sas-kd-pat6-s2"), cpu_note=" (+ teacher)"),
    Group("SASRec-CE, same history and windows, d_model 128, patience 6 "
          "(`conf/beauty-sasrec-windows.yaml` before session 23, sessions 15-16)",
          _runs(S16, "sas-b-pat6-s0", "sas-b-pat6-s1", "sas-b-pat6-s2")),
    Group("the same distilled configuration, rerun with session 21's code and teachers",
          _runs(S21, "b-kd-s0", "b-kd-s1", "b-kd-s2"), cpu_note=" (+ teacher)"),
    Group("the same with its weights averaged (EMA 0.99; `conf/beauty-distilled.yaml`, session 22), "
          "distilled from the teachers of the next row",
          _runs(S22, "b-ema-s0", "b-ema-s1", "b-ema-s2"), cpu_note=" (+ teacher)"),
    Group("the same SASRec-CE configuration, its teachers, trained again (sessions 20-21)",
          _runs(S21, "sas-b-s0", "sas-b-s1", "sas-b-s2")),
    Group("the same EMA students taught by the averaged SASRec-CE of the next row, its final weights and "
          "embeddings (`conf/beauty-distilled.yaml` after `conf/beauty-sasrec-windows.yaml`: the README's "
          "commands since session 23)",
          _runs(S23, "b-emat-s0", "b-emat-s1", "b-emat-s2"), cpu_note=" (+ teacher)"),
    Group("the same SASRec-CE with its weights averaged (EMA 0.99, as the student; "
          "`conf/beauty-sasrec-windows.yaml`, sessions 22-23)",
          (f"{S22}/sas-b-ema-s0", *_runs(S23, "sas-b-ema-s1", "sas-b-ema-s2"))),
    Group("that SASRec-CE taught by the averaged SASRec-CE of the row above, the same seed, as the student "
          "is (`conf/beauty-sasrec-windows.yaml` with `--model.init_args.distill_from`, weight 0.5; "
          "session 26)",
          _runs(S26, "sas-bd-s0", "sas-bd-s1", "sas-bd-s2"), cpu_note=" (+ teacher)"),
    Group("generative distilled, codes from the teacher's embeddings, patience 3 (session 14)",
          _runs(S14, "b-sas-kd-s0", "b-sas-kd-s1", "b-sas-kd-s2"), cpu_note=" (+ teacher)"),
    Group("generative distilled from SASRec-CE, co-SCI codes (session 13)",
          _runs(S13, "b-kd05-s0", "b-kd05-s1", "b-kd05-s2"), cpu_note=" (+ teacher)"),
    Group("generative, session 6 (`conf/beauty-items.yaml`: + label smoothing, d_model 64, 100 clusters)",
          _runs(S6, "b-ls01-dm64-n100-s0", "b-ls01-dm64-n100-s1", "b-ls01-dm64-n100-s2")),
    Group("SASRec-CE, same history and windows, d_model 128, patience 3 (session 12)",
          _runs(S12, "sas-b-d128-s0", "sas-b-d128-s1", "sas-b-d128-s2")),
    Group("SASRec-CE, d_model 64 (sessions 3-4) (*)",
          (f"{S3}/b-sasrec-conv-s0", *_runs(S4, "b-sasrec-conv-s1", "b-sasrec-conv-s2"))),
    Group("generative, session 4 (history only, d_model 128, 50 clusters)",
          _runs(S4, "b-gen-nu-s0", "b-gen-c-s1", "b-gen-c-s2")),
    Group("generative with session 3's user token (validation baseline)", _runs(S4, "b-gen-d01-s0"),
          compared=False),
)
TOYS_CONVERGED = (
    Group("generative distilled, also under the teacher's 4 likeliest other clusters, patience 6 "
          "(`conf/toys-distilled.yaml` before session 22, sessions 19-20; seeds 1 and 2 trained with "
          "edb33a2's costlier item step, seed 0 with 696e837's)",
          _runs(S19, "t-kdp4-s0", "t-kdp4-s1", "t-kdp4-s2"), cpu_note=" (+ teacher)"),
    Group("the same with its weights averaged (EMA 0.99; `conf/toys-distilled.yaml`, session 22), "
          "distilled from the teachers of the next row",
          _runs(S22, "t-ema-s0", "t-ema-s1", "t-ema-s2"), cpu_note=" (+ teacher)"),
    Group("the same SASRec-CE configuration, its teachers, trained again (session 20)",
          _runs(S19, "sas-t-s0", "sas-t-s1", "sas-t-s2")),
    Group("that SASRec-CE taught by the SASRec-CE of the row above, the same seed, as the student is "
          "(`conf/toys-sasrec-windows.yaml` with `--model.init_args.distill_from`, weight 0.5; session 26)",
          _runs(S26, "sas-td-s0", "sas-td-s1", "sas-td-s2"), cpu_note=" (+ teacher)"),
    Group("generative distilled, codes from the teacher's embeddings, patience 6 "
          "(`conf/toys-distilled.yaml` without `distill_prefixes`, session 15)",
          _runs(S15, "t-sas-kd-pat6-s0", "t-sas-kd-pat6-s1", "t-sas-kd-pat6-s2"), cpu_note=" (+ teacher)"),
    Group("SASRec-CE, same history and windows, d_model 128, patience 6 "
          "(`conf/toys-sasrec-windows.yaml`, session 15)",
          _runs(S15, "sas-t-pat6-s0", "sas-t-pat6-s1", "sas-t-pat6-s2")),
    Group("the same distilled configuration, rerun with session 18's code (fused AdamW)",
          _runs(S18, "t-kd-s0", "t-kd-s1", "t-kd-s2"), cpu_note=" (+ teacher)"),
    Group("the same SASRec-CE configuration, rerun with session 18's code (fused AdamW)",
          _runs(S18, "sas-t-s0", "sas-t-s1", "sas-t-s2")),
    Group("generative distilled, codes from the teacher's embeddings, patience 3 (session 14)",
          _runs(S14, "t-sas-kd-s0", "t-sas-kd-s1", "t-sas-kd-s2"), cpu_note=" (+ teacher)"),
    Group("generative distilled from SASRec-CE, co-SCI codes (session 13)",
          _runs(S13, "t-kd05-s0", "t-kd05-s1", "t-kd05-s2"), cpu_note=" (+ teacher)"),
    Group("generative, session 6 (`conf/toys-items.yaml`, the Beauty settings)",
          _runs(S6, "t-ls01-dm64-n100-s0", "t-ls01-dm64-n100-s1", "t-ls01-dm64-n100-s2")),
    Group("SASRec-CE, same history and windows, d_model 128, patience 3 (session 12)",
          _runs(S12, "sas-t-d128-s0", "sas-t-d128-s1", "sas-t-d128-s2")),
    Group("SASRec-CE, d_model 64 (session 4)",
          _runs(S4, "t-sasrec-conv-s0", "t-sasrec-conv-s1", "t-sasrec-conv-s2")),
    Group("generative, session 4 (history only, d_model 128, 50 clusters)",
          _runs(S4, "t-gen-c-s0", "t-gen-c-s1", "t-gen-c-s2")),
)
# (a run of the group, a run of its baseline group, label) of each table's ratio rows: a run names
# its group, so a row added to a table moves no ratio
BEAUTY_RATIOS = (
    (f"{S23}/b-emat-s0", f"{S26}/sas-bd-s0",
     "ratio distilled generative / SASRec-CE taught by the same teacher, both patience 6 (session 26: "
     "the same care)"),
    (f"{S23}/b-emat-s0", f"{S22}/sas-b-ema-s0",
     "ratio distilled generative taught by the averaged SASRec-CE / SASRec-CE, EMA, both patience 6 "
     "(session 23, the README's commands)"),
    (f"{S22}/b-ema-s0", f"{S22}/sas-b-ema-s0",
     "ratio distilled generative, EMA / SASRec-CE, EMA, both patience 6 (session 23)"),
    (f"{S22}/b-ema-s0", f"{S21}/sas-b-s0",
     "ratio distilled generative, EMA / SASRec-CE, both patience 6 (session 22)"),
    (f"{S16}/b-sas-kd-pat6-s0", f"{S16}/sas-b-pat6-s0",
     "ratio distilled generative / SASRec-CE, both patience 6 (session 16)"),
    (f"{S21}/b-kd-s0", f"{S21}/sas-b-s0",
     "ratio distilled generative / SASRec-CE, both patience 6, rerun (session 21)"),
    (f"{S14}/b-sas-kd-s0", f"{S12}/sas-b-d128-s0",
     "ratio distilled generative (session 14) / SASRec-CE, both patience 3"),
    (f"{S13}/b-kd05-s0", f"{S12}/sas-b-d128-s0",
     "ratio distilled generative, co-SCI codes (session 13) / SASRec-CE, patience 3"),
    (f"{S6}/b-ls01-dm64-n100-s0", f"{S12}/sas-b-d128-s0",
     "ratio generative, not distilled / SASRec-CE, patience 3"),
)
TOYS_RATIOS = (
    (f"{S22}/t-ema-s0", f"{S26}/sas-td-s0",
     "ratio distilled generative, 4 other clusters, EMA / SASRec-CE taught by the same teacher, both "
     "patience 6 (session 26: the same care)"),
    (f"{S22}/t-ema-s0", f"{S19}/sas-t-s0",
     "ratio distilled generative, 4 other clusters, EMA / SASRec-CE, both patience 6 (session 22)"),
    (f"{S19}/t-kdp4-s0", f"{S19}/sas-t-s0",
     "ratio distilled generative, 4 other clusters / SASRec-CE, both patience 6 (session 20)"),
    (f"{S15}/t-sas-kd-pat6-s0", f"{S15}/sas-t-pat6-s0",
     "ratio distilled generative / SASRec-CE, both patience 6 (session 15)"),
    (f"{S18}/t-kd-s0", f"{S18}/sas-t-s0",
     "ratio distilled generative / SASRec-CE, both patience 6, rerun (session 18)"),
    (f"{S14}/t-sas-kd-s0", f"{S12}/sas-t-d128-s0",
     "ratio distilled generative (session 14) / SASRec-CE, both patience 3"),
    (f"{S13}/t-kd05-s0", f"{S12}/sas-t-d128-s0",
     "ratio distilled generative, co-SCI codes (session 13) / SASRec-CE, patience 3"),
    (f"{S6}/t-ls01-dm64-n100-s0", f"{S12}/sas-t-d128-s0",
     "ratio generative, not distilled / SASRec-CE, patience 3"),
)


def _read(path: Path) -> str:
    if not path.is_file():
        raise ResultError(f"no result file {path}")
    return path.read_text()


def _json(path: Path) -> dict:
    try:
        return json.loads(_read(path))
    except json.JSONDecodeError as e:
        raise ResultError(f"{path}: not JSON ({e})") from None


def mean_std(values: list[float], digits: int) -> str:
    """`mean ± sample std` at `digits` decimals; one value alone; none: "-"."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def best_validation(run: Path) -> float | None:
    """The best validation NDCG@10 of a run: its history's maximum, else its checkpoint's score.

    The seed-0 runs logged no history; best_val.txt holds the score their best checkpoint kept.
    """
    history = run / "val_history.csv"
    if not history.is_file():
        best = run / "best_val.txt"
        return float(best.read_text()) if best.is_file() else None
    with history.open(newline="") as f:
        scores = [float(r["val/ndcg@10"]) for r in csv.DictReader(f) if r.get("val/ndcg@10")]
    return max(scores) if scores else None


def cpu_minutes(run: Path) -> float | None:
    """User + system CPU minutes of a run's fit (times.txt's `cpu_s=U+S`); None if not recorded."""
    match = re.search(r"cpu_s=([\d.]+)\+([\d.]+)", _read(run / "times.txt"))
    return (float(match[1]) + float(match[2])) / 60 if match else None


def _test_metrics(run: Path) -> dict[str, float]:
    metrics = _json(run / "test_metrics.json").get("metrics")
    if not isinstance(metrics, dict):
        raise ResultError(f"{run / 'test_metrics.json'}: no `metrics` object")
    return metrics


def _popularity(runs: list[Path]) -> dict[str, float]:
    """The popularity baseline's test figures, which every run on one split must share."""
    first = _test_metrics(runs[0])
    for run in runs[1:]:
        other = _test_metrics(run)
        for key, _ in SESSION3_METRICS:
            k = f"test/popularity/{key}"
            if not math.isclose(first[k], other[k], abs_tol=1e-6):
                raise ResultError(f"{run}: popularity {key} {other[k]} differs from {runs[0]}'s "
                                  f"{first[k]}: not the same split")
    return {key: first[f"test/popularity/{key}"] for key, _ in SESSION3_METRICS}


def best_and_last_epoch(run: Path) -> str:
    """`best/last` training epoch (1-based) of a run's validation history, e.g. `9/12`."""
    with (run / "val_history.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("val/ndcg@10")]
    if not rows:
        raise ResultError(f"{run / 'val_history.csv'}: no validation rows")
    scores = [float(r["val/ndcg@10"]) for r in rows]
    return f"{scores.index(max(scores)) + 1}/{len(rows)}"


def _group_index(groups: tuple[Group, ...], run: str) -> int:
    """Index of the group that holds `run` (a folder under docs/results/)."""
    for i, g in enumerate(groups):
        if run in g.runs:
            return i
    raise ResultError(f"ratio row: no group of the table holds the run {run}")


def quality_table(
    results: Path, groups: tuple[Group, ...], ratios: tuple[tuple[str, str, str], ...] = ()
) -> str:
    """Test figures at the best validation epoch, mean ± std over a group's seeds, and popularity.

    Metrics have 4 decimals (coverage 2, for the models), CPU minutes 1; the best mean of each of
    SESSION3_BOLD among the `compared` groups is bold. Each of `ratios` (run, base run, label) adds
    a row of the mean of the group holding `run` over that of the group holding `base run`, for
    those columns.
    """
    rows = []
    for g in groups:
        runs = [results / r for r in g.runs]
        tests = [_test_metrics(r) for r in runs]
        values = {key: [t[f"test/{key}"] for t in tests if f"test/{key}" in t] for key, _ in SESSION3_METRICS}
        rows.append((g, values))
    best = {key: max(statistics.fmean(v[key]) for g, v in rows if g.compared) for key in SESSION3_BOLD}
    lines = [
        "| model | seeds | epochs | " + " | ".join(h for _, h in SESSION3_METRICS)
        + " | val NDCG@10 | CPU min |",
        "|---|---|---|" + "---|" * len(SESSION3_METRICS) + "---|---|",
    ]
    for g, values in rows:
        cells = []
        for key, _ in SESSION3_METRICS:
            text = mean_std(values[key], 2 if key == "coverage@10" else 4)
            bold = g.compared and key in best and statistics.fmean(values[key]) == best[key]
            cells.append(f"**{text}**" if bold else text)
        runs = [results / r for r in g.runs]
        val = mean_std([v for v in map(best_validation, runs) if v is not None], 4)
        cpu = mean_std([c for c in map(cpu_minutes, runs) if c is not None], 1)
        epochs = g.epochs or ", ".join(best_and_last_epoch(r) for r in runs)
        lines.append(f"| {g.label} | {len(g.runs)} | {epochs} | " + " | ".join(cells)
                     + f" | {val} | {cpu}{g.cpu_note} |")
    for top, bottom, label in ratios:
        top_values, bottom_values = rows[_group_index(groups, top)][1], rows[_group_index(groups, bottom)][1]
        cells = [f"{statistics.fmean(top_values[k]) / statistics.fmean(bottom_values[k]):.2f}x"
                 if k in SESSION3_BOLD else "" for k, _ in SESSION3_METRICS]
        lines.append(f"| {label} | | | " + " | ".join(cells) + " | | |")
    popularity = _popularity([results / r for g in groups for r in g.runs])
    lines.append("| popularity | - | - | " + " | ".join(f"{popularity[k]:.4f}" for k, _ in SESSION3_METRICS)
                 + " | - | - |")
    return "\n".join(lines)


def catalog_models_table(results: Path) -> str:
    """`benchmarks/catalog_scale.py`'s model rows per catalogue size, then largest / smallest size."""
    path = results / "catalog_scale_models.json"
    data = _json(path)
    args = data["args"]
    labels = {"generative": f"generative ({args['preset']}, {args['beams']} beams)",
              "sasrec": "SASRec-CE (64 wide, 2 blocks)"}  # catalog_scale.py's SASRec defaults
    lines = [
        "| model | items | train samples / CPU s | ranked users / CPU s | peak memory "
        "| trie build (wall) / size | exclusion keys |",
        "|---|---|---|---|---|---|---|",
    ]
    for part, label in labels.items():
        for r in (r for r in data["rows"] if r["part"] == part):
            trie = (f"{r['trie_build_s']:.2f} s / {r['trie_mb']:.1f} MB ({r['code_len']} tokens)"
                    if "trie_mb" in r else "-")
            lines.append(f"| {label} | {r['items']:,} | {r['train_samples_per_cpu_s']:,.0f} "
                         f"| {r['users_per_cpu_s']:,.0f} | {r['peak_rss_mb']:,.0f} MB | {trie} "
                         f"| {r['exclusion_keys_mb']:.1f} MB |")
    for r in data["ratios"]:
        lines.append(f"| {r['part']}: {r['to_items']:,} / {r['from_items']:,} | "
                     f"| {r['train_samples_per_cpu_s']:.2f}x | {r['users_per_cpu_s']:.2f}x "
                     f"| {r['peak_rss_mb']:.2f}x | | |")
    return "\n".join(lines)


S24 = "quality-session24/compare"
# (`lightlm compare --out` file, data and split) of the paired table, in order.
PAIRED = (
    (f"{S24}/beauty-emat-val.json", "Beauty, validation"),
    (f"{S24}/beauty-emat-test.json", "Beauty, test"),
    (f"{S24}/beauty-ema-val.json", "Beauty, validation"),
    (f"{S24}/beauty-ema-test.json", "Beauty, test"),
    (f"{S24}/toys-val.json", "Toys, validation"),
    (f"{S24}/toys-test.json", "Toys, test"),
    (f"{S24}/ml-val.json", "MovieLens-100k, validation"),
    (f"{S24}/ml-test.json", "MovieLens-100k, test"),
    (f"{S24}/ml-items-val.json", "MovieLens-100k, validation"),
    (f"{S24}/ml-items-test.json", "MovieLens-100k, test"),
)
PAIRED_METRICS = ("ndcg@10", "recall@10")


def _means_and_difference(r: dict) -> str:
    """`A / B | B - A [low, high] |`: two cells of a `lightlm compare` row."""
    return f"{r['a']:.4f} / {r['b']:.4f} | {r['difference']:+.4f} [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] |"


def paired_table(results: Path, files: tuple[tuple[str, str], ...] = PAIRED) -> str:
    """One row per `lightlm compare` result: B against A over the same users, per metric of
    PAIRED_METRICS the two means, B - A with its bootstrap interval, and the paired t-test's p."""
    head = "| data, split | B against A (3 seeds each) | users |"
    rule = "|---|---|---|"
    for m in PAIRED_METRICS:
        head += f" {m}: A / B | B - A (95% CI) | p |"
        rule += "---|---|---|"
    lines = [head, rule]
    for name, where in files:
        data = _json(results / name)
        by_metric = {r["metric"]: r for r in data["rows"]}
        row = f"| {where} | {data['b']['name']} against {data['a']['name']} | {data['rows'][0]['users']:,} |"
        for m in PAIRED_METRICS:
            row += f" {_means_and_difference(by_metric[m])} {by_metric[m]['p_value']:.2g} |"
        lines.append(row)
    return "\n".join(lines)


# (`lightlm compare --out` file, data and split) of the table of models taught by the same teacher, in order.
SAME_TEACHER = (
    (f"{S26}/compare/beauty-sas-val.json", "Beauty, validation"),
    (f"{S26}/compare/beauty-sas-test.json", "Beauty, test"),
    (f"{S26}/compare/beauty-student-val.json", "Beauty, validation"),
    (f"{S26}/compare/beauty-student-test.json", "Beauty, test"),
    (f"{S26}/compare/toys-sas-val.json", "Toys, validation"),
    (f"{S26}/compare/toys-sas-test.json", "Toys, test"),
    (f"{S26}/compare/toys-student-val.json", "Toys, validation"),
    (f"{S26}/compare/toys-student-test.json", "Toys, test"),
)

S25 = "quality-session25/compare"
# (`lightlm compare --by item_train_count --out` file, data and split) of the table by popularity, in order.
BY_POPULARITY = (
    (f"{S25}/beauty-val.json", "Beauty, validation"),
    (f"{S25}/beauty-test.json", "Beauty, test"),
    (f"{S25}/toys-val.json", "Toys, validation"),
    (f"{S25}/toys-test.json", "Toys, test"),
    (f"{S25}/ml-val.json", "MovieLens-100k, validation"),
    (f"{S25}/ml-test.json", "MovieLens-100k, test"),
)


def strata_table(results: Path, files: tuple[tuple[str, str], ...] = BY_POPULARITY) -> str:
    """One row per group of users of each `lightlm compare --by` result: the group (e.g. the
    held-out item's training interactions), its users, and per metric of PAIRED_METRICS the two
    means and B - A with its bootstrap interval."""
    lines: list[str] = []
    for name, where in files:
        data = _json(results / name)
        by_group: dict[str, dict[str, dict]] = {}
        for r in data["strata"]:
            by_group.setdefault(r["stratum"], {})[r["metric"]] = r
        if not lines:
            head = f"| data, split | B against A (3 seeds each) | {data['strata'][0]['by']} | users |"
            head += "".join(f" {m}: A / B | B - A (95% CI) |" for m in PAIRED_METRICS)
            lines += [head, "|---|---|---|---|" + "---|---|" * len(PAIRED_METRICS)]
        for group, rows in by_group.items():
            row = f"| {where} | {data['b']['name']} against {data['a']['name']} | {group} |"
            row += f" {rows[PAIRED_METRICS[0]]['users']:,} |"
            row += "".join(f" {_means_and_difference(rows[m])}" for m in PAIRED_METRICS)
            lines.append(row)
    return "\n".join(lines)


TABLES: dict[str, Callable[[Path], str]] = {
    "paired": paired_table,
    "same-teacher": lambda results: paired_table(results, SAME_TEACHER),
    "by-popularity": strata_table,
    "converged-beauty": lambda results: quality_table(results, BEAUTY_CONVERGED, BEAUTY_RATIOS),
    "converged-toys": lambda results: quality_table(results, TOYS_CONVERGED, TOYS_RATIOS),
    "session3-beauty": lambda results: quality_table(results, BEAUTY),
    "session3-toys": lambda results: quality_table(results, TOYS),
    "catalog-models": catalog_models_table,
}


def _marked(name: str) -> re.Pattern:
    name = re.escape(name)
    return re.compile(rf"(<!-- table:{name} -->\n)(.*?)(\n<!-- /table:{name} -->)", re.S)


def render(readme: str, tables: dict[str, str], where: str = "README.md") -> str:
    """`readme` with the text between each table's markers replaced by `tables[name]`."""
    for name, table in tables.items():
        pattern = _marked(name)
        found = len(pattern.findall(readme))
        if found != 1:
            raise ResultError(f"{where}: expected one <!-- table:{name} --> ... <!-- /table:{name} --> "
                              f"pair, found {found}")
        readme = pattern.sub(lambda m, t=table: m[1] + t + m[3], readme)
    return readme


def stale(readme: str, tables: dict[str, str], where: str = "README.md") -> list[str]:
    """Names of the tables whose text in `readme` differs from the regenerated one."""
    render(readme, tables, where)  # every pair of markers is there, once
    return [name for name, table in tables.items() if _marked(name).search(readme)[2] != table]


def main(argv: list[str] | None = None) -> int:
    head, *rest = __doc__.split("\n\n")
    p = argparse.ArgumentParser(
        prog="python -m lightlm.experiments.tables", description=head, epilog="\n\n".join(rest),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a table is stale")
    p.add_argument("--readme", type=Path, default=Path("README.md"), help="default: ./README.md")
    p.add_argument("--results", type=Path, default=Path("docs/results"), help="default: ./docs/results")
    args = p.parse_args(argv)
    try:
        text = _read(args.readme)
        tables = {name: make(args.results) for name, make in TABLES.items()}
        old = stale(text, tables, str(args.readme))
    except (ResultError, KeyError) as e:
        print(f"tables: error: {e if isinstance(e, ResultError) else f'missing field {e}'}", file=sys.stderr)
        return 2
    if args.check:
        for name in old:
            print(f"{args.readme}: table {name} is stale; run `python -m lightlm.experiments.tables`",
                  file=sys.stderr)
        return 1 if old else 0
    if old:
        tmp = args.readme.with_name(f".{args.readme.name}.tmp")
        tmp.write_text(render(text, tables, str(args.readme)))
        os.replace(tmp, args.readme)
    done = f"regenerated {', '.join(old)}" if old else f"all {len(tables)} tables current"
    print(f"{args.readme}: {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
