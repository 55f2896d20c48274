"""The one registry of input formats: suffixes (with .gz), and the shape-based format hint."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from datamodules.formats import FORMATS, InputFormat, format_from_suffix, format_hint, resolve_format, sniff
from kitbase.errors import ConfigError, DataFormatError


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("data.txt", "p5"),
        ("data.txt.gz", "p5"),
        ("ratings.CSV", "csv"),
        ("ratings.csv.gz", "csv"),
        ("log.tsv", "tsv"),
        ("reviews_Beauty_5.json.gz", "jsonl"),
        ("Beauty.jsonl.gz", "jsonl"),
        ("log.ndjson", "jsonl"),
        ("log.parquet", "parquet"),
        ("log.pq", "parquet"),
        ("log.xlsx", None),
        ("log.gz", None),
        ("log", None),
    ],
)
def test_suffixes(name, fmt):
    assert format_from_suffix(Path(name)) == fmt


def test_the_cli_choices_are_the_registry():
    assert InputFormat.__args__ == ("auto", "p5", "csv", "tsv", "jsonl", "parquet")
    assert tuple(FORMATS) == InputFormat.__args__[1:]


def test_resolve_refuses_unknown_suffixes_and_names():
    with pytest.raises(DataFormatError, match=r"log.xlsx: cannot tell the format from the suffix '.xlsx'"):
        resolve_format(Path("log.xlsx"), "auto")
    with pytest.raises(ConfigError, match="--data.format must be 'auto' or one of"):
        resolve_format(Path("log.csv"), "excel")
    assert resolve_format(Path("log.xlsx"), "csv") == "csv"


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"1 2 3 4\n", "p5"),
        (b"user,item,timestamp\n1,2,3\n", "csv"),
        (b"\nuser\titem\n", "tsv"),
        (b'{"reviewerID": "A1", "asin": "B0"}\n', "jsonl"),
        (b"PAR1\x15\x04", "parquet"),
        (b"\n\n", None),
    ],
)
def test_sniff(head, fmt):
    assert sniff(head) == fmt


def test_hint_names_the_format_the_file_looks_like(tmp_path):
    csv = tmp_path / "log.csv.gz"
    csv.write_bytes(gzip.compress(b"user,item,timestamp\n1,2,3\n"))
    assert format_hint(csv, "p5") == (
        " [the file looks like csv (one row per interaction), but the format is p5: "
        "pass --data.format csv (or auto: its suffix says so)]"
    )
    assert format_hint(csv, "csv") == ""
    p5 = tmp_path / "data.dat"
    p5.write_text("1 2 3\n")
    assert "looks like p5 (one line per user: 'user item item ...')" in format_hint(p5, "tsv")
    assert "or auto" not in format_hint(p5, "tsv")
