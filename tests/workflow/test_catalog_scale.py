"""benchmarks/catalog_scale.py at two tiny catalogue sizes: every part runs in its own process,
the figures behave as the data says they must, and the JSON holds the table and the ratios."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load():
    # Imported by module name from benchmarks/, as running the script puts that folder first on
    # sys.path: it imports its sibling `index_scale` that way, and the spawned children unpickle
    # their target functions by module name (they inherit this sys.path).
    folder = str(ROOT / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("catalog_scale")


def test_catalog_scale_runs_tiny_and_writes_table_and_ratios(tmp_path, capsys):
    out = tmp_path / "scale.json"
    _load().main(
        [
            "--sizes",
            "300",
            "900",
            "--indexers",
            "sci",
            "--train-steps",
            "2",
            "--users",
            "64",
            "--batch-size",
            "64",
            "--out",
            str(out),
        ]
    )
    result = json.loads(out.read_text())
    rows = {(r["part"], r["items"]): r for r in result["rows"]}
    assert set(rows) == {(p, n) for p in ("index:sci", "generative", "sasrec") for n in (300, 900)}
    assert not any("error" in r for r in rows.values())
    small, large = rows["generative", 300], rows["generative", 900]
    # Two users per item, about 8 interactions each: three times the items, about three times
    # the exclusion keys; the trie holds every item as a leaf.
    assert 2.5 < large["exclusion_keys_mb"] / small["exclusion_keys_mb"] < 3.5
    assert small["trie_nodes"] > 300 and large["trie_nodes"] > 900 and large["code_len"] == 2
    assert all(
        r["users_per_cpu_s"] > 0 and r["train_samples_per_cpu_s"] > 0 and r["peak_rss_mb"] > 100
        for r in rows.values()
        if r["part"] != "index:sci"
    )
    assert rows["index:sci", 900]["coherence_ratio"] > 2  # the communities are found
    ratio = {r["part"]: r for r in result["ratios"]}["sasrec"]
    assert ratio["from_items"] == 300 and ratio["to_items"] == 900
    assert (
        abs(ratio["users_per_s"] - rows["sasrec", 900]["users_per_s"] / rows["sasrec", 300]["users_per_s"])
        < 0.01
    )
    printed = capsys.readouterr().out
    assert "largest / smallest size (900 / 300 items)" in printed and "generative" in printed


def test_catalog_scale_refuses_a_tiny_size():
    import pytest

    with pytest.raises(SystemExit) as exit:
        _load().main(["--sizes", "50"])
    assert exit.value.code == 2


def test_indexer_arguments_are_parsed_and_a_bad_one_is_refused_before_any_data(capsys):
    import pytest

    index_scale = (_load(), importlib.import_module("index_scale"))[1]
    assert index_scale.parse_indexer_spec("sci:solver=subspace,n_clusters=8,eigengap=true") == (
        "sci",
        {"solver": "subspace", "n_clusters": 8, "eigengap": True},
    )
    for bad, message in (
        ("sci:solver=arnoldi", "--data.indexer.solver"),
        ("sci:colour=red", "colour"),
        ("sci:solver", "not key=value"),
        ("bogus", "unknown indexer"),
    ):
        with pytest.raises(SystemExit) as exit:
            _load().main(["--sizes", "300", "--indexers", bad, "--models"])
        assert exit.value.code == 2
        assert message in capsys.readouterr().err
