"""Descriptive statistics of a fitted index: shape of the code tree and collaborative coherence.

They answer "what did this indexer build?" before any model is trained: how long codes are,
how wide each level branches (the beam search's fan-out), how much of the identity falls on
the disambiguation token, and whether items bought together end up under the same first token.
"""

from __future__ import annotations

import numpy as np

from datamodules.interactions import Sequences
from datamodules.item_index import ItemIndex

MAX_PAIRS = 100_000


def index_statistics(index: ItemIndex, train: Sequences, seed: int = 0) -> dict:
    """Summary of `index` as plain JSON-ready numbers; `train` feeds the coherence figures."""
    codes = index.item_codes
    lengths = index.item_code_lengths
    return {
        "indexer": index.indexer,
        "items": index.n_items,
        "users": index.n_users,
        "user_code_width": int(index.user_codes.shape[1]),
        "code_length_histogram": {
            int(k): int(v) for k, v in zip(*np.unique(lengths, return_counts=True), strict=True)
        },
        "branching": branching(codes),
        "disambiguated_items": disambiguated_items(codes),
        "coherence": collaborative_coherence(codes, train, seed),
    }


def branching(codes: np.ndarray) -> list[dict]:
    """Per level j: distinct tokens following each distinct prefix of length j (mean, max).

    Only levels some item's code reaches: an index may keep a padding column that no code fills
    (one residual level plus its disambiguation token in a 3-wide table)."""
    out = []
    for level in range(codes.shape[1]):
        has = codes[:, level] >= 0
        if not has.any():
            break
        prefixes = np.unique(codes[has, : level + 1], axis=0)
        _, children = np.unique(prefixes[:, :level], axis=0, return_counts=True)
        out.append({"level": level, "mean": float(children.mean()), "max": int(children.max())})
    return out


def disambiguated_items(codes: np.ndarray) -> int:
    """Items told apart from another item only by a last token > 0.

    An item counts when its code without the last token is shared with another item and its
    last token is not 0. For indexers that always append a disambiguation token (gci, rq) this
    is exactly the number needing one; for sci it also counts single-entity leaves that share a
    parent cluster, whose last token is a cluster label.
    """
    lengths = (codes >= 0).sum(axis=1)
    last = codes[np.arange(len(codes)), lengths - 1]
    prefix = codes.copy()
    prefix[np.arange(len(codes)), lengths - 1] = -2  # mark the dropped position
    _, inverse, counts = np.unique(prefix, axis=0, return_inverse=True, return_counts=True)
    shared = counts[inverse.reshape(-1)] > 1
    return int((shared & (last > 0)).sum())


def collaborative_coherence(item_codes: np.ndarray, train: Sequences, seed: int = 0) -> dict:
    """How often co-purchased items share their first token, against chance.

    Co-purchased pairs are items consecutive in a training sequence (up to MAX_PAIRS, sampled
    with `seed`). The chance baseline draws both items of a pair independently in proportion to
    their training popularity, like the co-purchased pairs themselves are: a uniform baseline
    would credit an index merely for putting popular items together.
    Returns {"pairs", "copurchase_share", "random_share", "ratio"}; ratio is None when no
    random pair shares a first token.
    """
    rng = np.random.default_rng(seed)
    items = train.items
    follows = np.ones(len(items), dtype=bool)
    starts = train.offsets[:-1]
    follows[starts[starts < len(items)]] = False  # a user's first item follows nothing of theirs
    second = np.flatnonzero(follows)
    if len(second) > MAX_PAIRS:
        second = rng.choice(second, MAX_PAIRS, replace=False)
    first_token = item_codes[:, 0]
    n = len(second)
    if n == 0:
        return {"pairs": 0, "copurchase_share": 0.0, "random_share": 0.0, "ratio": None}
    together = float((first_token[items[second - 1]] == first_token[items[second]]).mean())
    a, b = items[rng.integers(len(items), size=(2, n))]
    chance = float((first_token[a] == first_token[b]).mean())
    return {
        "pairs": n,
        "copurchase_share": together,
        "random_share": chance,
        "ratio": together / chance if chance > 0 else None,
    }
