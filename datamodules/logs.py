"""Reader for raw interaction logs (CSV, TSV, JSON lines, Parquet; text formats may be gzipped):
one row per (user, item[, rating], time).

This is the other common input besides P5 files (docs/method.md section 1). A log is turned into the same
`Interactions` as a P5 file: optional rating filter, duplicate (user, item) pairs collapsed to
their first occurrence, an iterative k-core, each user's items ordered by time with ties kept in
file order, users and items renumbered by sorted original id. Each step that drops data warns
with how much it dropped and which option did it. `PRESETS` name the columns of the Amazon
review dumps (JSON lines, usually gzipped).

Everything is vectorised (polars for parsing and sorting, numpy for the k-core), so a 10M-row log
reads in seconds; no step loops over rows in Python.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import polars as pl

from datamodules.formats import LOG_FORMATS, decode_utf8, read_bytes, resolve_format
from datamodules.interactions import Interactions, Sequences, ids_as_written
from kitbase.errors import ConfigError, DataFormatError

# Column names of public dumps, for `preset=`. Amazon 2018 (McAuley lab, `reviews_*.json.gz`,
# `unixReviewTime` in seconds) and Amazon 2023 (`<Category>.jsonl.gz`, `timestamp` in ms;
# `parent_asin` groups an item's variants, as the 2023 release's own benchmarks do).
PRESETS: dict[str, dict[str, str]] = {
    "amazon-2018": {
        "user_col": "reviewerID", "item_col": "asin", "time_col": "unixReviewTime", "rating_col": "overall"
    },
    "amazon-2023": {
        "user_col": "user_id", "item_col": "parent_asin", "time_col": "timestamp", "rating_col": "rating"
    },
}  # fmt: skip
_COLUMN_DEFAULTS = {"user_col": "user", "item_col": "item", "time_col": "timestamp", "rating_col": None}

# ISO 8601 shapes accepted for string timestamps. `%.f` also matches no fraction and `%#z`
# matches `Z` as well as `+02:00`; naive values are taken as UTC.
_DATETIME_FORMATS = [
    f"%Y-%m-%d{sep}%H:%M{tail}" for sep in ("T", " ") for tail in (":%S%.f", ":%S%.f%#z", "", "%#z")
] + ["%Y-%m-%d"]


def _parse_with(text: pl.Series, fmt: str) -> pl.Series:
    """Epoch microseconds (UTC) of each value in one ISO shape; null where it does not fit."""
    if "%H" in fmt:
        return text.str.to_datetime(fmt, strict=False, time_unit="us").dt.epoch("us")
    return text.str.to_date(fmt, strict=False).cast(pl.Datetime("us")).dt.epoch("us")


def _parse_iso(text: pl.Series) -> pl.Series:
    """Parse ISO dates/datetimes, trying the first value's shape on the whole column first.

    Real columns use one shape, so this is usually a single pass; other shapes are tried only
    on the values still unparsed (docs/method.md section 9 has the cost of trying all shapes).
    """
    first = text[:1]
    shapes = sorted(_DATETIME_FORMATS, key=lambda f: _parse_with(first, f)[0] is None)
    parsed = _parse_with(text, shapes[0])
    for shape in shapes[1:]:
        missing = np.flatnonzero(parsed.is_null().to_numpy())
        if len(missing) == 0:
            break
        parsed = parsed.scatter(missing, _parse_with(text.gather(missing), shape))
    return parsed


def _preset_hint(columns: list[str]) -> str:
    """Name the preset whose columns the file has, for a missing-column error."""
    for name, cols in PRESETS.items():
        if set(cols.values()) <= set(columns):
            return f" (these are the {name} review dump's columns: pass --data.log.preset {name})"
    return ""


def _json_keys(path: Path, data: bytes) -> list[str]:
    """The keys of the first JSON-lines record, to check the named columns against."""
    first = next((line for line in data.splitlines() if line.strip()), b"")
    try:
        record = json.loads(first)
    except ValueError as e:
        raise DataFormatError(f"{path} line 1: not a JSON object ({e})") from None
    if not isinstance(record, dict):
        what = "a JSON array: write one object per line" if isinstance(record, list) else "not an object"
        raise DataFormatError(f"{path} line 1: expected one JSON object per line, got {what}")
    return list(record)


def _read_frame(
    path: Path, fmt: str, has_header: bool, separator: str | None, columns: list[str]
) -> pl.DataFrame:
    """Read the whole file. Text files are read as strings so ids keep their exact spelling;
    JSON lines are read for the named `columns` only (review dumps carry long texts)."""
    data = None if fmt == "parquet" else read_bytes(path)
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        if fmt == "jsonl":
            keys = _json_keys(path, data)
            missing = [c for c in columns if c not in keys]
            if missing:
                raise DataFormatError(
                    f"{path}: no column {missing[0]!r}; the first record has keys {keys}"
                    + _preset_hint(keys)
                )
            return pl.read_ndjson(io.BytesIO(data), schema={c: pl.String for c in columns})
        sep = separator if separator is not None else ("\t" if fmt == "tsv" else ",")
        df = pl.read_csv(io.BytesIO(data), separator=sep, has_header=has_header, infer_schema=False)
    except pl.exceptions.PolarsError as e:
        if "utf-8" in str(e).lower():
            decode_utf8(path, data)  # raises with the line
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataFormatError(f"{path}: cannot read as {fmt}: {first_line}") from None
    if not has_header:
        # Headerless columns are addressed by 0-based position, written as strings.
        df.columns = [str(i) for i in range(df.width)]
    else:
        # polars renames a repeated header name to `name_duplicated_0`: which one is meant?
        for c in df.columns:
            m = re.fullmatch(r"(.+)_duplicated_\d+", c)
            if m and m.group(1) in columns and m.group(1) in df.columns:
                raise DataFormatError(
                    f"{path} line 1: the header names column {m.group(1)!r} twice; "
                    "rename one of them"
                )
    return df


def _row_label(row: int, fmt: str, has_header: bool) -> str:
    """Where a 0-based data row sits in the file, in the words an editor would use."""
    if fmt == "parquet":
        return f"row {row + 1}"
    return f"row {row + 1} (line {row + 1 + int(has_header and fmt != 'jsonl')})"


def _dtype_error(path: Path, column: str, role: str, dtype: pl.DataType, wanted: str) -> Exception:
    return DataFormatError(
        f"{path}: column {column!r} ({role}) has type {dtype}, expected {wanted}"
    )


def _check_no_nulls(s: pl.Series, path: Path, role: str, fmt: str, has_header: bool) -> None:
    if s.null_count():
        row = int(s.is_null().arg_max())
        raise DataFormatError(
            f"{path} {_row_label(row, fmt, has_header)}: missing {role} in column {s.name!r}"
        )


def _first_failure(parsed: pl.Series, raw: pl.Series) -> int | None:
    """0-based row of the first value that `raw` has but `parsed` could not make sense of."""
    bad = parsed.is_null() & raw.is_not_null()
    if parsed.dtype.is_float():
        bad = bad | parsed.is_nan().fill_null(False)
    return int(bad.arg_max()) if bad.any() else None


def _ids(s: pl.Series, path: Path, role: str) -> pl.Series:
    """Original ids as Int64 when every value is a canonical integer, otherwise as strings.

    Text columns become integers only if they round-trip ('007' stays the string '007'), so two
    distinct spellings are never merged into one id. Unsigned 64-bit ids beyond the Int64 range
    stay UInt64.
    """
    if s.dtype.is_integer():
        if s.dtype == pl.UInt64 and s.max() > np.iinfo(np.int64).max:
            return s
        return s.cast(pl.Int64)
    if s.dtype in (pl.Categorical, pl.Enum):
        s = s.cast(pl.String)
    if s.dtype != pl.String:
        raise _dtype_error(path, s.name, role, s.dtype, "integers or strings")
    return ids_as_written(s)


def _times(s: pl.Series, path: Path, fmt: str, has_header: bool) -> pl.Series:
    """A sort key per row: Int64/Float64 numbers as given, or ISO dates as epoch microseconds."""
    dtype = s.dtype
    if not (dtype.is_numeric() or dtype in (pl.Date, pl.String) or isinstance(dtype, pl.Datetime)):
        raise _dtype_error(
            path, s.name, "timestamp", dtype, "numbers, dates or ISO date/datetime strings"
        )
    _check_no_nulls(s, path, "timestamp", fmt, has_header)
    if dtype.is_integer():
        return s.cast(pl.Int64)
    if dtype == pl.Date:
        return s.cast(pl.Datetime("us")).dt.epoch("us")
    if isinstance(dtype, pl.Datetime):
        return s.dt.epoch("us")
    if dtype.is_float():
        parsed = s.cast(pl.Float64)
    else:
        text = s.str.strip_chars()
        # The first value decides between numbers and dates; the first misfit is reported.
        if text[:1].cast(pl.Float64, strict=False)[0] is not None:
            parsed = text.cast(pl.Int64, strict=False)
            if parsed.null_count():
                parsed = text.cast(pl.Float64, strict=False)
        else:
            parsed = _parse_iso(text)
    row = _first_failure(parsed, s)
    if row is not None:
        raise DataFormatError(
            f"{path} {_row_label(row, fmt, has_header)}: timestamp {s[row]!r} in column "
            f"{s.name!r} is neither a number nor an ISO date/datetime"
        )
    return parsed


def _ratings(s: pl.Series, path: Path, fmt: str, has_header: bool) -> pl.Series:
    if not s.dtype.is_numeric() and (fmt == "parquet" or s.dtype != pl.String):
        # A typed file that stores ratings as text is a schema mistake worth pointing at.
        raise _dtype_error(path, s.name, "rating", s.dtype, "numbers")
    _check_no_nulls(s, path, "rating", fmt, has_header)
    if s.dtype.is_numeric():
        return s.cast(pl.Float64)
    parsed = s.str.strip_chars().cast(pl.Float64, strict=False)
    row = _first_failure(parsed, s)
    if row is not None:
        raise DataFormatError(
            f"{path} {_row_label(row, fmt, has_header)}: rating {s[row]!r} in column "
            f"{s.name!r} is not a number"
        )
    return parsed


def _k_core(users: np.ndarray, items: np.ndarray, k: int) -> np.ndarray:
    """Mask of the rows in the k-core: every user and item left has >= k rows.

    Dropping a sparse item can push a user under k and vice versa, so repeat until stable.
    """
    keep = np.ones(len(users), dtype=bool)
    if k <= 1:
        return keep
    n_users = int(users.max()) + 1 if len(users) else 0
    n_items = int(items.max()) + 1 if len(items) else 0
    idx = np.arange(len(users))
    while True:
        u, i = users[idx], items[idx]
        ok = (np.bincount(u, minlength=n_users)[u] >= k) & (
            np.bincount(i, minlength=n_items)[i] >= k
        )
        if ok.all():
            break
        idx = idx[ok]
    keep[:] = False
    keep[idx] = True
    return keep


def _report(path: Path, why: str, before: pl.DataFrame, after: pl.DataFrame) -> None:
    """Warn how many interactions, and users and items with them, a filter dropped, if any.

    `before` and `after` are the interactions (one row each, columns `user`, `item`) around it.
    """
    if after.height == before.height:
        return
    parts = []
    for col, what in (("user", "users"), ("item", "items")):
        n, left = before[col].n_unique(), after[col].n_unique()
        if left < n:
            parts.append(f"{n - left:,} of {n:,} {what}")
    parts.append(f"{before.height - after.height:,} of {before.height:,} interactions")
    counts = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    warnings.warn(f"{path}: {why} dropped {counts}", stacklevel=3)


def read_log(
    path: str | Path,
    format: str = "auto",
    user_col: str = "user",
    item_col: str = "item",
    time_col: str | None = "timestamp",
    rating_col: str | None = None,
    min_rating: float | None = None,
    has_header: bool = True,
    separator: str | None = None,
    k_core: int = 5,
    preset: str | None = None,
) -> Interactions:
    """Read an interaction log into `Interactions` (see the module docstring for the steps).

    Args:
        path: a .csv, .tsv, .jsonl/.json or .parquet file, text ones optionally gzipped (or any
            name, with `format` given).
        format: "csv", "tsv", "jsonl", "parquet", or "auto" to decide from the suffix.
        user_col, item_col, time_col, rating_col: column names. For CSV/TSV read with
            `has_header=False`, name columns by their 0-based position as strings: "0", "1", ...
            Parquet files always carry names, so `has_header` does not apply to them.
        time_col: None when the file has no timestamps; rows are then ordered as in the file.
            Timestamps may be integers, floats, dates, or ISO 8601 date/datetime strings (with
            or without a `Z`/`+hh:mm` offset; naive ones are taken as UTC); one column must not
            mix numbers and dates.
        min_rating: drop rows rated below it (requires `rating_col`), before the k-core.
        separator: overrides the default ',' (csv) or tab (tsv).
        k_core: keep only users and items with at least this many interactions, repeating the
            filter until nothing changes; 0 or 1 keeps everything.
        preset: a key of `PRESETS` ("amazon-2018", "amazon-2023"): its column names replace the
            ones left at their defaults.

    Duplicate (user, item) pairs are kept once, at their earliest time (ties: first in file), so
    a sequence never repeats an item, as in the P5 files.
    """
    path = Path(path)
    if preset is not None:
        if preset not in PRESETS:
            raise ConfigError(f"--data.log.preset must be one of {tuple(PRESETS)}, got {preset!r}")
        given = {"user_col": user_col, "item_col": item_col, "time_col": time_col, "rating_col": rating_col}
        cols = {k: v if v != _COLUMN_DEFAULTS[k] else PRESETS[preset][k] for k, v in given.items()}
        user_col, item_col, time_col, rating_col = (cols[k] for k in given)
    if k_core < 0:
        raise ConfigError(f"k_core must be >= 0, got {k_core}")
    if min_rating is not None and rating_col is None:
        raise ConfigError("min_rating needs rating_col: name the column that holds ratings")
    roles = {"user": user_col, "item": item_col, "timestamp": time_col, "rating": rating_col}
    named = [c for c in roles.values() if c is not None]
    if len(set(named)) < len(named):
        raise ConfigError(f"user, item, time and rating columns must differ, got {roles}")
    if not path.is_file():
        raise DataFormatError(f"{path}: no such data file")
    fmt = resolve_format(path, format)
    if fmt not in LOG_FORMATS:
        raise ConfigError(f"read_log reads {LOG_FORMATS}, not {fmt!r} (use datamodules.p5.read_p5)")
    if path.stat().st_size == 0:
        raise DataFormatError(f"{path}: the file is empty")

    df = _read_frame(path, fmt, has_header, separator, named)
    for role, col in roles.items():
        if col is not None and col not in df.columns:
            how = (
                ""
                if has_header or fmt in ("parquet", "jsonl")
                else " (no header: use positions '0', '1', ...)"
            )
            raise DataFormatError(
                f"{path}: no {role} column {col!r}{how}; the file has columns {df.columns}"
                + _preset_hint(df.columns)
            )
    if df.height == 0:
        raise DataFormatError(f"{path}: the file holds no interactions")

    user, item = df[user_col], df[item_col]
    _check_no_nulls(user, path, "user", fmt, has_header)
    _check_no_nulls(item, path, "item", fmt, has_header)
    frame = pl.DataFrame(
        {
            "user": _ids(user, path, "user"),
            "item": _ids(item, path, "item"),
            "time": (
                _times(df[time_col], path, fmt, has_header)
                if time_col is not None
                else pl.Series(np.zeros(df.height, dtype=np.int64))
            ),
            "row": pl.int_range(df.height, dtype=pl.Int64, eager=True),
        }
    )
    if rating_col is not None:
        ratings = _ratings(df[rating_col], path, fmt, has_header)
        if min_rating is not None:
            rated = frame
            frame = frame.filter(ratings >= min_rating)
            if frame.height == 0:
                raise DataFormatError(
                    f"{path}: no rating in column {rating_col!r} is >= min_rating={min_rating}"
                )
            why = f"min_rating={min_rating} (--data.log.min_rating, ratings in {rating_col!r})"
            _report(path, why, rated, frame)
    del df

    # Codes in sorted-id order, so 0-based indices follow the original ids (as read_p5 does).
    user_ids = frame["user"].unique().sort()
    item_ids = frame["item"].unique().sort()
    frame = frame.with_columns(
        u=user_ids.search_sorted(frame["user"]).cast(pl.Int64),
        i=item_ids.search_sorted(frame["item"]).cast(pl.Int64),
    ).select("u", "i", "time", "row")
    # Chronological per user; `row` breaks time ties in file order. After this sort the first
    # occurrence of a (user, item) pair is its earliest one.
    frame = frame.sort("u", "time", "row")
    repeated = frame
    frame = frame.filter((pl.col("u") * len(item_ids) + pl.col("i")).is_first_distinct())
    _report(
        path,
        "keeping each (user, item) pair once (at its earliest time)",
        repeated.rename({"u": "user", "i": "item"}),
        frame.rename({"u": "user", "i": "item"}),
    )

    u = frame["u"].to_numpy()
    i = frame["i"].to_numpy()
    keep = _k_core(u, i, k_core)
    u, i = u[keep], i[keep]
    if len(u) == 0:
        raise DataFormatError(
            f"{path}: k-core={k_core} left no interactions (no set of users and items has "
            f"{k_core} interactions each); lower k_core"
        )

    # Renumber the survivors contiguously, still in sorted-id order.
    kept_users = np.flatnonzero(np.bincount(u, minlength=len(user_ids)))
    kept_items = np.flatnonzero(np.bincount(i, minlength=len(item_ids)))
    core = pl.DataFrame({"user": u, "item": i})
    _report(
        path,
        f"k_core={k_core} (--data.log.k_core: every user and item left has {k_core}+ interactions)",
        frame.select(user="u", item="i"),
        core,
    )
    item_index = np.full(len(item_ids), -1, dtype=np.int64)
    item_index[kept_items] = np.arange(len(kept_items))
    user_index = np.full(len(user_ids), -1, dtype=np.int64)
    user_index[kept_users] = np.arange(len(kept_users))
    lengths = np.bincount(user_index[u], minlength=len(kept_users))
    offsets = np.zeros(len(kept_users) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    sequences = Sequences(offsets, item_index[i], n_items=len(kept_items))
    return Interactions(
        sequences,
        user_ids.to_numpy()[kept_users],
        item_ids.to_numpy()[kept_items],
        source=str(path),
    )
