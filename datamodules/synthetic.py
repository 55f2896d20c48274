"""The kit's embedded default dataset: synthetic sequences with structure a model can learn.

Uniformly random data would make every method look equally bad, so the generator plants the
three signals that real recommendation logs have and that the kit's methods exploit:

- communities: each user belongs to one latent community that prefers its own block of items
  (what collaborative indexing and the "direct" user-id task can learn);
- popularity: power-law (Zipf) item popularity within each block, and power-law community sizes,
  so a popularity baseline is meaningful but beatable;
- order: each item has a few fixed likely successors, mostly in its own community (what the
  sequential task can learn beyond community membership).

Items are assigned to communities through a random permutation, so item ids carry no hint of the
structure. Ids are 1-based like the P5 files; indices are 0-based as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from datamodules.interactions import Interactions, Sequences
from kitbase.errors import ConfigError

N_SUCCESSORS = 3
SUCCESSOR_PROBS = np.array([0.6, 0.3, 0.1])  # how often each of an item's successors follows it
SUCCESSOR_IN_COMMUNITY = 0.9  # share of successors drawn from the item's own community
MAX_REDRAWS = 8  # rejection rounds for a repeated item before falling back to any unused item


@dataclass
class SyntheticConfig:
    """Shape and strength of the planted structure; the defaults make the kit's default data."""

    n_users: int = 2000  # number of users
    n_items: int = 400  # catalogue size
    n_communities: int = 8  # latent user communities, each preferring its own block of items
    min_length: int = 5  # every user has at least this many interactions
    mean_length: float = 12  # average sequence length (min_length + a geometric excess)
    popularity_exponent: float = 1.0  # power-law (Zipf) item popularity; 0 makes it uniform
    community_focus: float = 0.8  # share of a user's fresh picks drawn from their community's items
    sequential_strength: float = 0.5  # probability the next item is a successor of the previous
    seed: int = 0  # seeds numpy's default_rng; same config, same data

    def __post_init__(self) -> None:
        def need(ok: bool, field: str, rule: str) -> None:
            if not ok:
                raise ConfigError(f"synthetic.{field} {rule}, got {getattr(self, field)!r}")

        need(self.n_users >= 1, "n_users", "must be >= 1")
        need(self.n_items >= 4, "n_items", "must be >= 4")
        need(
            1 <= self.n_communities <= self.n_items // 2,
            "n_communities",
            f"must be between 1 and n_items // 2 = {self.n_items // 2}",
        )
        need(self.min_length >= 1, "min_length", "must be >= 1")
        # Sequences never repeat an item, so they must stay well below the catalogue size.
        need(
            self.min_length <= self.mean_length <= self.n_items / 4,
            "mean_length",
            f"must be between min_length and n_items / 4 = {self.n_items / 4}",
        )
        need(self.popularity_exponent >= 0, "popularity_exponent", "must be >= 0")
        need(0 <= self.community_focus <= 1, "community_focus", "must be in [0, 1]")
        need(0 <= self.sequential_strength <= 1, "sequential_strength", "must be in [0, 1]")
        need(self.seed >= 0, "seed", "must be >= 0")

    def describe(self) -> str:
        return (
            "synthetic("
            + ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))
            + ")"
        )


def _draw(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Categorical draws: index of the first cdf entry above each uniform."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)


class _World:
    """The fixed latent structure: communities, item popularity and successor transitions."""

    def __init__(self, cfg: SyntheticConfig, rng: np.random.Generator) -> None:
        n, c = cfg.n_items, cfg.n_communities
        blocks = np.array_split(rng.permutation(n), c)
        self.community_of_item = np.empty(n, dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        for k, block in enumerate(blocks):
            self.community_of_item[block] = k
            rank[block] = np.arange(len(block))
        self.community_share = (np.arange(c) + 1.0) ** -0.5
        self.community_share /= self.community_share.sum()
        weight = (rank + 1.0) ** -cfg.popularity_exponent  # Zipf within each block

        # One cdf per community, laid end to end on [k, k + 1): a single searchsorted on
        # `community + uniform` then samples every user's own community at once.
        self.block_items = np.concatenate(blocks)
        block_w = weight[self.block_items]
        cdfs = [np.cumsum(block_w[s]) / block_w[s].sum() for s in self._spans(blocks)]
        for cdf in cdfs:
            cdf[-1] = 1.0  # rounding must not let a draw spill into the next block
        self.block_cdf = np.concatenate([k + cdf for k, cdf in enumerate(cdfs)])
        global_w = weight * self.community_share[self.community_of_item]
        self.global_cdf = np.cumsum(global_w) / global_w.sum()
        self.successors = self._successors(cfg, rng, blocks)

    @staticmethod
    def _spans(blocks: list[np.ndarray]) -> list[slice]:
        ends = np.cumsum([len(b) for b in blocks])
        return [slice(e - len(b), e) for b, e in zip(blocks, ends, strict=True)]

    def _successors(
        self, cfg: SyntheticConfig, rng: np.random.Generator, blocks: list[np.ndarray]
    ) -> np.ndarray:
        """(n_items, N_SUCCESSORS) distinct successors per item, none equal to the item itself.

        Uniform within the community rather than popularity-weighted, so that order carries
        information that community popularity alone does not.
        """
        n = cfg.n_items
        sizes = np.array([len(b) for b in blocks])
        starts = np.cumsum(sizes) - sizes
        comm = self.community_of_item
        succ = np.empty((n, N_SUCCESSORS), dtype=np.int64)
        for j in range(N_SUCCESSORS):
            todo = np.arange(n)
            while len(todo):
                k = comm[todo]
                local = starts[k] + (rng.random(len(todo)) * sizes[k]).astype(np.int64)
                anywhere = rng.integers(0, n, len(todo))
                cand = np.where(
                    rng.random(len(todo)) < SUCCESSOR_IN_COMMUNITY,
                    self.block_items[local],
                    anywhere,
                )
                bad = (cand == todo) | (succ[todo, :j] == cand[:, None]).any(axis=1)
                succ[todo[~bad], j] = cand[~bad]
                todo = todo[bad]
        return succ


def generate_with_communities(cfg: SyntheticConfig) -> tuple[Interactions, np.ndarray]:
    """Generate the data and also return each user's community (n_users,), the ground truth
    that tests and benchmarks use to check how much structure a method recovers."""
    rng = np.random.default_rng(cfg.seed)
    world = _World(cfg, rng)
    n_users, n_items = cfg.n_users, cfg.n_items
    community = _draw(np.cumsum(world.community_share), rng.random(n_users))
    max_length = n_items // 2
    excess = rng.geometric(1.0 / (cfg.mean_length - cfg.min_length + 1), n_users) - 1
    lengths = np.minimum(cfg.min_length + excess, max_length).astype(np.int64)

    def fresh(users: np.ndarray) -> np.ndarray:
        """A new pick: from the user's community block, or from the whole catalogue."""
        u = rng.random(len(users))
        own = world.block_items[
            np.minimum(
                np.searchsorted(world.block_cdf, community[users] + u, side="right"), n_items - 1
            )
        ]
        anywhere = _draw(world.global_cdf, rng.random(len(users)))
        return np.where(rng.random(len(users)) < cfg.community_focus, own, anywhere)

    # Users are simulated in chunks, all users of a chunk one step at a time, with a dense
    # (users, items) "already seen" mask; chunks bound that mask's memory.
    chunk = max(1, (1 << 24) // n_items)
    seqs = np.full((n_users, int(lengths.max())), -1, dtype=np.int64)
    for lo in range(0, n_users, chunk):
        hi = min(lo + chunk, n_users)
        seen = np.zeros((hi - lo, n_items), dtype=bool)
        for t in range(int(lengths[lo:hi].max())):
            users = lo + np.flatnonzero(lengths[lo:hi] > t)
            cand = fresh(users)
            if t > 0:
                follow = rng.random(len(users)) < cfg.sequential_strength
                prev = seqs[users[follow], t - 1]
                pick = _draw(np.cumsum(SUCCESSOR_PROBS), rng.random(len(prev)))
                cand[follow] = world.successors[prev, pick]
            # No item twice in a sequence: redraw repeats, then take any unused item.
            for _ in range(MAX_REDRAWS):
                rep = np.flatnonzero(seen[users - lo, cand])
                if len(rep) == 0:
                    break
                cand[rep] = fresh(users[rep])
            rep = np.flatnonzero(seen[users - lo, cand])
            if len(rep):
                scores = rng.random((len(rep), n_items))
                scores[seen[users[rep] - lo]] = -1.0
                cand[rep] = scores.argmax(axis=1)
            seen[users - lo, cand] = True
            seqs[users, t] = cand

    offsets = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    items = seqs[np.arange(seqs.shape[1])[None, :] < lengths[:, None]]
    data = Interactions(
        Sequences(offsets, items, n_items),
        user_ids=np.arange(1, n_users + 1, dtype=np.int64),
        item_ids=np.arange(1, n_items + 1, dtype=np.int64),
        source=cfg.describe(),
    )
    return data, community


def generate(cfg: SyntheticConfig) -> Interactions:
    """The synthetic dataset for `cfg`; deterministic for a given config (seed included)."""
    return generate_with_communities(cfg)[0]
