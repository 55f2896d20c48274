"""The README's generated tables: current in the repository, and a stale one is caught and fixed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lightlm.experiments import tables

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "results"


def test_repository_readme_tables_match_the_committed_result_files(capsys):
    assert tables.main(["--check", "--readme", str(ROOT / "README.md"), "--results", str(RESULTS)]) == 0, \
        capsys.readouterr().err


def test_session3_beauty_figures_from_the_run_files():
    lines = tables.quality_table(RESULTS, tables.BEAUTY).splitlines()
    generative, sasrec, converged, popularity = lines[2:]
    # Three seeds' test NDCG@10 (0.0298, 0.0295, 0.0316 in their test_metrics.json) give
    # 0.0303 ± 0.0011; the same-budget best is bold, the converged SASRec-CE row never is.
    assert "| **0.0303 ± 0.0011** |" in generative and "**" not in converged
    assert "| 0.0445 |" in converged and converged.endswith("| 18.5 |")  # (737.585 + 370.234) s / 60
    assert popularity == ("| popularity | - | - | 0.0053 | 0.0112 | 0.0073 | 0.0195 | 0.0040 | 0.0008 "
                          "| - | - |")
    assert sasrec.endswith("| 5.7 ± 0.2 |")  # seeds 1 and 2 recorded CPU time: 5.87 and 5.60 min


def test_stale_table_is_named_and_regeneration_fixes_only_the_marked_text(tmp_path, capsys):
    readme = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    original = readme.read_text()
    edited = original.replace("| 10,000 | 3,886 |", "| 10,000 | 3,887 |").replace(
        "## Quick start", "## Quick start, edited by hand")
    assert edited.count("| 10,000 | 3,887 |") == 1 and edited != original
    readme.write_text(edited)

    argv = ["--readme", str(readme), "--results", str(RESULTS)]
    assert tables.main(["--check", *argv]) == 1
    err = capsys.readouterr().err
    assert "table catalog-models is stale" in err and "session3" not in err
    assert readme.read_text() == edited  # --check changes nothing

    assert tables.main(argv) == 0
    fixed = readme.read_text()
    assert "| 10,000 | 3,886 |" in fixed and "| 10,000 | 3,887 |" not in fixed
    assert "## Quick start, edited by hand" in fixed  # prose outside the markers is left alone
    assert fixed == edited.replace("| 10,000 | 3,887 |", "| 10,000 | 3,886 |")
    assert tables.main(["--check", *argv]) == 0


def test_missing_markers_or_result_files_are_named(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text((ROOT / "README.md").read_text().replace("<!-- /table:session3-toys -->\n", ""))
    assert tables.main(["--check", "--readme", str(readme), "--results", str(RESULTS)]) == 2
    assert "<!-- table:session3-toys -->" in capsys.readouterr().err

    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    (results / "quality-session3" / "t-sasrec-s0" / "test_metrics.json").unlink()
    assert tables.main(["--check", "--readme", str(ROOT / "README.md"), "--results", str(results)]) == 2
    assert "t-sasrec-s0/test_metrics.json" in capsys.readouterr().err


def test_paired_table_rows_from_compare_results(tmp_path):
    a = {"name": "SASRec-CE"}
    rows = [{"metric": "ndcg@10", "users": 22363, "a": 0.0486, "b": 0.0473, "difference": -0.0013,
             "ci_low": -0.0022, "ci_high": -0.0004, "p_value": 0.0041},
            {"metric": "recall@10", "users": 22363, "a": 0.0805, "b": 0.0797, "difference": -0.0009,
             "ci_low": -0.0024, "ci_high": 0.0007, "p_value": 0.27}]  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps({"a": a, "b": {"name": "student"}, "rows": rows}))
    head, rule, row = tables.paired_table(tmp_path, (("c.json", "Beauty, test"),)).splitlines()
    assert head.count("|") == rule.count("|") == row.count("|") == 10
    assert row == ("| Beauty, test | student against SASRec-CE | 22,363 | 0.0486 / 0.0473 "
                   "| -0.0013 [-0.0022, -0.0004] | 0.0041 "
                   "| 0.0805 / 0.0797 | -0.0009 [-0.0024, +0.0007] | 0.27 |")


def test_strata_table_rows_per_group_from_compare_results(tmp_path):
    def row(metric, stratum, users, a, b, low, high):
        return {"metric": metric, "by": "item_train_count", "stratum": stratum, "users": users,
                "a": a, "b": b, "difference": b - a, "ci_low": low, "ci_high": high}  # fmt: skip

    strata = [row("ndcg@10", "0-5", 6197, 0.0201, 0.0164, -0.0051, -0.0023),
              row("ndcg@10", "33-2010", 5586, 0.1010, 0.1054, 0.0015, 0.0074),
              row("recall@10", "0-5", 6197, 0.0350, 0.0300, -0.0080, -0.0020),
              row("recall@10", "33-2010", 5586, 0.1700, 0.1750, -0.0010, 0.0110)]  # fmt: skip
    record = {"a": {"name": "SASRec-CE"}, "b": {"name": "student"}, "rows": [], "strata": strata}
    (tmp_path / "c.json").write_text(json.dumps(record))
    head, rule, rare, popular = tables.strata_table(tmp_path, (("c.json", "Beauty, test"),)).splitlines()
    assert head.startswith("| data, split | B against A (3 seeds each) | item_train_count | users |")
    assert head.count("|") == rule.count("|") == rare.count("|") == popular.count("|") == 9
    assert rare == ("| Beauty, test | student against SASRec-CE | 0-5 | 6,197 | 0.0201 / 0.0164 "
                    "| -0.0037 [-0.0051, -0.0023] | 0.0350 / 0.0300 | -0.0050 [-0.0080, -0.0020] |")
    assert popular.startswith("| Beauty, test | student against SASRec-CE | 33-2010 | 5,586 "
                              "| 0.1010 / 0.1054 | +0.0044 [+0.0015, +0.0074] |")


def test_ratio_rows_find_their_groups_by_run_and_name_a_missing_one():
    first, second = tables.BEAUTY[0], tables.BEAUTY[1]  # session 3: the generative model, SASRec-CE
    ratio = tables.quality_table(RESULTS, tables.BEAUTY, ((first.runs[1], second.runs[0], "r"),))
    fmean = tables.statistics.fmean
    gen = fmean(tables._test_metrics(RESULTS / r)["test/ndcg@10"] for r in first.runs)
    sas = fmean(tables._test_metrics(RESULTS / r)["test/ndcg@10"] for r in second.runs)
    assert f"| r | | | {gen / sas:.2f}x |" in ratio
    with pytest.raises(tables.ResultError, match="no group of the table holds the run nowhere/run-s0"):
        tables.quality_table(RESULTS, tables.BEAUTY, (("nowhere/run-s0", second.runs[0], "r"),))
