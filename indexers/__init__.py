"""Item (and user) ID indexers: one file per indexer behind `indexers.base.Indexer`."""

import datamodules  # noqa: F401  (first: it sets OMP_WAIT_POLICY before torch loads)
