"""Item (and user) ID indexers: one file per indexer behind `indexers.base.Indexer`."""
