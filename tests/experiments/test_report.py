"""The study report: mean ± std over seeds and the bold best per column, checked by hand."""

from __future__ import annotations

import pytest

from lightlm.experiments.report import markdown_table, summarize


def _row(model: str, shape: str, seed: str, recall: str, ndcg: str, val: str, params: str,
         seconds: str) -> dict:
    indexer = "sci" if model == "generative" else "-"
    return {"model": model, "indexer": indexer, "shape": shape, "seed": seed, "recall@10": recall,
            "ndcg@10": ndcg, "val_ndcg@10": val, "params": params, "train_seconds": seconds}


ROWS = [
    _row("popularity", "-", "-", "0.01", "0.005", "", "", ""),
    _row("generative", "a", "0", "0.10", "0.01", "0.04", "1000000", "60"),
    _row("generative", "a", "1", "0.20", "0.02", "0.05", "1000000", "120"),
    _row("generative", "a", "2", "0.30", "0.03", "0.06", "1000000", "180"),
    _row("generative", "b", "0", "0.05", "0.04", "0.02", "2500000", "30"),
    _row("generative", "b", "1", "0.07", "0.06", "0.02", "2500000", "30"),
]


def test_mean_and_sample_std_over_seeds():
    pop, a, b = summarize(ROWS)
    assert (pop["n"], a["n"], b["n"]) == (1, 3, 2)
    # a: ndcg@10 (0.01, 0.02, 0.03): mean 0.02, std sqrt((0.01² + 0 + 0.01²) / 2) = 0.01
    assert a["ndcg@10"] == pytest.approx(0.02) and a["ndcg@10_std"] == pytest.approx(0.01)
    # b: ndcg@10 (0.04, 0.06): mean 0.05, std sqrt((0.01² + 0.01²) / 1) = 0.0141421
    assert b["ndcg@10"] == pytest.approx(0.05) and b["ndcg@10_std"] == pytest.approx(0.0141421356)
    assert pop["ndcg@10_std"] == 0.0 and pop["val_ndcg@10"] is None and pop["recall@20"] is None
    assert a["train_seconds"] == pytest.approx(120.0)


def test_markdown_bolds_each_columns_best_mean():
    lines = markdown_table(summarize(ROWS), "## t").splitlines()
    assert lines[:2] == ["## t", ""]
    assert lines[2] == ("| model | indexer | shape | seeds | recall@10 | ndcg@10 | recall@20 | ndcg@20 "
                        "| mrr@20 | coverage@10 | novelty@10 | val_ndcg@10 | params | train min |")
    # a wins recall@10 and val_ndcg@10, b wins ndcg@10; a single row gets no ±; the popularity
    # row has no seeds, params or minutes; b's 30 s per seed is 0.5 min.
    assert lines[4:] == [
        "| popularity | - | - | - | 0.0100 | 0.0050 | - | - | - | - | - | - | - | - |",
        "| generative | sci | a | 3 | **0.2000 ± 0.1000** | 0.0200 ± 0.0100 | - | - | - | - | - "
        "| **0.0500 ± 0.0100** | 1.00M | 2.0 |",
        "| generative | sci | b | 2 | 0.0600 ± 0.0141 | **0.0500 ± 0.0141** | - | - | - | - | - "
        "| 0.0200 ± 0.0000 | 2.50M | 0.5 |",
    ]
