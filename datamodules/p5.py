"""Reader for P5-format files: one line per user, `user_id item_1 item_2 ...`, oldest item first.

Ids are kept exactly as written (`datamodules.interactions.ids_as_written`), fields are separated
by ASCII spaces or tabs, and the file may be gzipped; it must be UTF-8.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from datamodules.formats import decode_utf8, read_bytes
from datamodules.interactions import Interactions, Sequences, ids_as_written
from kitbase.errors import DataFormatError

# ASCII whitespace only: str.split() would also cut an id at a no-break or other Unicode space.
_FIELDS = re.compile(r"[ \t\r\v\f]+")


def read_p5(path: str | Path, allow_repeats: bool = False) -> Interactions:
    """Read a P5 file into `Interactions`, renumbering users and items by sorted original id
    (numerically when every id is a plain integer, as in the public files; else as strings).

    Repeated items within a user's line are refused unless `allow_repeats`: the public P5 files
    have none, so a repeat almost always means a corrupted or concatenated file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: no such data file")
    text = decode_utf8(path, read_bytes(path))
    users: list[str] = []
    seqs: list[list[str]] = []
    seen_users: dict[str, int] = {}
    for lineno, line in enumerate(text.split("\n"), start=1):
        tokens = [t for t in _FIELDS.split(line) if t]
        if not tokens:
            continue
        if len(tokens) < 2:
            raise DataFormatError(
                f"{path} line {lineno}: expected 'user item [item ...]', got {line.strip()!r}"
            )
        user = tokens[0]
        if user in seen_users:
            raise DataFormatError(
                f"{path} line {lineno}: user {user} already appeared on line {seen_users[user]} "
                "(a P5 file has one line per user)"
            )
        seen_users[user] = lineno
        items = tokens[1:]
        if not allow_repeats and len(set(items)) < len(items):
            dup = next(i for i in items if items.count(i) > 1)
            raise DataFormatError(
                f"{path} line {lineno}: item {dup} appears twice in user {user}'s sequence "
                "(pass --data.allow_repeats true if repeats are intended)"
            )
        users.append(user)
        seqs.append(items)
    if not users:
        raise DataFormatError(f"{path}: the file holds no interactions")
    item_ids = ids_as_written(pl.Series([i for s in seqs for i in s], dtype=pl.String))
    catalogue = item_ids.unique().sort()
    inverse = catalogue.search_sorted(item_ids).cast(pl.Int64).to_numpy()
    user_ids = ids_as_written(pl.Series(users, dtype=pl.String))
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    offsets = np.zeros(len(users) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    # Reorder users by id so that user index order does not depend on line order.
    order = user_ids.arg_sort().to_numpy()
    new_seqs = [inverse[offsets[u] : offsets[u + 1]] for u in order]
    sequences = Sequences.from_lists(new_seqs, n_items=len(catalogue))
    return Interactions(sequences, user_ids.to_numpy()[order], catalogue.to_numpy(), source=str(path))
