"""Name -> indexer class, so configs and benchmarks can say `random`, `sci`, `gci`, ..."""

from __future__ import annotations

from indexers.base import Indexer
from indexers.graph import GraphIndexer
from indexers.random_ids import RandomIndexer
from indexers.residual import ResidualIndexer
from indexers.sequential import SequentialIndexer
from indexers.spectral import SpectralIndexer
from kitbase.errors import ConfigError

INDEXERS: dict[str, type[Indexer]] = {
    cls.name: cls
    for cls in (RandomIndexer, SequentialIndexer, SpectralIndexer, GraphIndexer, ResidualIndexer)
}


def make_indexer(name: str, **kwargs) -> Indexer:
    if name not in INDEXERS:
        raise ConfigError(f"unknown indexer {name!r}; choose one of {sorted(INDEXERS)}")
    return INDEXERS[name](**kwargs)
