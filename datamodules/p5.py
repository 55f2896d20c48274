"""Reader for P5-format files: one line per user, `user_id item_1 item_2 ...`, oldest item first."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datamodules.errors import DataFormatError
from datamodules.interactions import Interactions, Sequences


def _parse_int(token: str, path: Path, lineno: int, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise DataFormatError(f"{path} line {lineno}: {what} {token!r} is not an integer") from None


def read_p5(path: str | Path, allow_repeats: bool = False) -> Interactions:
    """Read a P5 file into `Interactions`, renumbering users and items by sorted original id.

    Repeated items within a user's line are refused unless `allow_repeats`: the public P5 files
    have none, so a repeat almost always means a corrupted or concatenated file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: no such data file")
    users: list[int] = []
    seqs: list[list[int]] = []
    seen_users: dict[int, int] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            tokens = line.split()
            if not tokens:
                continue
            if len(tokens) < 2:
                raise DataFormatError(
                    f"{path} line {lineno}: expected 'user item [item ...]', got {line.strip()!r}"
                )
            user = _parse_int(tokens[0], path, lineno, "user")
            if user in seen_users:
                raise DataFormatError(
                    f"{path} line {lineno}: user {user} already appeared on line {seen_users[user]}"
                )
            seen_users[user] = lineno
            items = [_parse_int(t, path, lineno, "item") for t in tokens[1:]]
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
    flat = np.fromiter((i for s in seqs for i in s), dtype=np.int64)
    item_ids, inverse = np.unique(flat, return_inverse=True)
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    user_ids = np.array(users, dtype=np.int64)
    order = np.argsort(user_ids, kind="stable")
    offsets = np.zeros(len(users) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    # Reorder users by id so that user index order does not depend on line order.
    new_seqs = [inverse[offsets[u] : offsets[u + 1]] for u in order]
    sequences = Sequences.from_lists(new_seqs, n_items=len(item_ids))
    return Interactions(sequences, user_ids[order], item_ids, source=str(path))
