"""The index cache key covers the indexers' code: editing a constant misses the cache."""

import shutil
from pathlib import Path

import indexers.base
from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.base import source_hash
from indexers.sequential import SequentialIndexer

PACKAGE = Path(indexers.base.__file__).parent


def test_edited_constant_changes_the_code_version(tmp_path):
    copy = tmp_path / "indexers"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert source_hash(copy) == source_hash(PACKAGE) == SequentialIndexer().code_version()
    source = copy / "collaborative.py"
    text = source.read_text()
    assert "KMEANS_INITS = 1" in text
    source.write_text(text.replace("KMEANS_INITS = 1", "KMEANS_INITS = 2"))
    assert source_hash(copy) != source_hash(PACKAGE)


def test_new_code_version_misses_the_cache(tmp_path, monkeypatch):
    dm = RecDataModule(
        indexer=SequentialIndexer(), synthetic=SyntheticConfig(n_users=100, n_items=60),
        cache_dir=str(tmp_path))
    dm.setup()
    fingerprint = dm.split.data.fingerprint()
    cached = dm.index_cache_path(fingerprint)
    assert cached.is_file()
    monkeypatch.setattr(SequentialIndexer, "code_version", lambda self: "edited-code")
    assert dm.index_cache_path(fingerprint) != cached
    again = RecDataModule(
        indexer=SequentialIndexer(), synthetic=SyntheticConfig(n_users=100, n_items=60),
        cache_dir=str(tmp_path))
    again.setup()  # fitted anew under the new key, beside the old file
    assert len(list(tmp_path.glob("*.json"))) == 2
