"""Name -> indexer class, so configs and benchmarks can say `random`, `sci`, `gci`, ..."""

from __future__ import annotations

from datamodules.errors import ConfigError
from indexers.base import Indexer
from indexers.random_ids import RandomIndexer
from indexers.sequential import SequentialIndexer

INDEXERS: dict[str, type[Indexer]] = {
    cls.name: cls for cls in (RandomIndexer, SequentialIndexer)
}


def make_indexer(name: str, **kwargs) -> Indexer:
    if name not in INDEXERS:
        raise ConfigError(f"unknown indexer {name!r}; choose one of {sorted(INDEXERS)}")
    return INDEXERS[name](**kwargs)
