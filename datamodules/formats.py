"""The input formats the kit reads: the one list of names and suffixes, gzip, and text decoding.

Every reader and the DataModule's `format: auto` take their names and suffixes from `FORMATS`,
so a suffix is either accepted everywhere or refused everywhere. Text formats may be gzipped
(`data.txt.gz`, `reviews.jsonl.gz`); gzip is recognised by its magic bytes, whatever the name.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Literal

from kitbase.errors import ConfigError, DataFormatError

# Format name -> the suffixes that mean it (each may be followed by `.gz` for text formats).
FORMATS: dict[str, tuple[str, ...]] = {
    "p5": (".txt",),
    "csv": (".csv",),
    "tsv": (".tsv",),
    "jsonl": (".jsonl", ".json", ".ndjson"),
    "parquet": (".parquet", ".pq"),
}
LOG_FORMATS = ("csv", "tsv", "jsonl", "parquet")  # one row per interaction (`datamodules.logs`)
InputFormat = Literal[("auto", *FORMATS)]  # type: ignore[valid-type]  # the `--data.format` choices

_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


def format_from_suffix(path: Path) -> str | None:
    """The format its name says (`ratings.csv.gz` -> csv), or None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    return next((name for name, ends in FORMATS.items() if suffix in ends), None)


def resolve_format(path: Path, format: str) -> str:
    """`format` itself, or the one `path`'s suffix names when it is "auto"."""
    if format != "auto":
        if format not in FORMATS:
            raise ConfigError(f"--data.format must be 'auto' or one of {tuple(FORMATS)}, got {format!r}")
        return format
    found = format_from_suffix(path)
    if found is None:
        known = ", ".join(f"{' '.join(ends)} ({name})" for name, ends in FORMATS.items())
        raise DataFormatError(
            f"{path}: cannot tell the format from the suffix {''.join(path.suffixes) or '(none)'!r}; "
            f"known: {known}, each optionally .gz; or pass --data.format"
        )
    return found


def is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == _GZIP_MAGIC


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed if it is gzip."""
    data = path.read_bytes()
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise DataFormatError(f"{path}: not a valid gzip file ({e})") from None


def decode_utf8(path: Path, data: bytes) -> str:
    """`data` as text; invalid UTF-8 is refused with the line it is on (and a way out)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataFormatError(
            f"{path} line {line}: byte 0x{data[e.start]:02x} at column {column} is not UTF-8 "
            "(Latin-1 or another encoding? convert it: iconv -f latin1 -t utf-8 IN > OUT)"
        ) from None


def sniff(data: bytes) -> str | None:
    """The format the first bytes look like, from the file's shape alone (None: no guess)."""
    if data[:4] == _PARQUET_MAGIC:
        return "parquet"
    first = next((line for line in data[:65536].splitlines() if line.strip()), b"").strip()
    if not first:
        return None
    if first.startswith(b"{"):
        return "jsonl"
    if b"\t" in first:
        return "tsv"
    if b"," in first:
        return "csv"
    return "p5"


def format_hint(path: Path, fmt: str) -> str:
    """A hint to add to a reading error when the file's shape says another format than `fmt`."""
    try:
        with path.open("rb") as f:
            head = f.read(65536)
        if head[:2] == _GZIP_MAGIC:
            with gzip.open(path, "rb") as f:
                head = f.read(65536)
    except (OSError, EOFError, zlib.error):
        return ""
    looks = sniff(head)
    if looks is None or looks == fmt:
        return ""
    how = "one line per user: 'user item item ...'" if looks == "p5" else "one row per interaction"
    auto = " (or auto: its suffix says so)" if format_from_suffix(path) == looks else ""
    return (
        f" [the file looks like {looks} ({how}), but the format is {fmt}: pass --data.format {looks}{auto}]"
    )
