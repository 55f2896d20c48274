"""`--data.val_users`: a seeded random draw of validation users, not the first ones in file order."""

import numpy as np
import pytest

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError

DATA = SyntheticConfig(n_users=300, n_items=60, seed=1)


def _users(tmp_path, stage="validate", **kw) -> np.ndarray:
    dm = RecDataModule(
        indexer=SequentialIndexer(), synthetic=DATA, task="sequential", history_len=5,
        cache_dir=str(tmp_path), **kw)
    dm.setup()
    return dm.dataset(stage).user.numpy()


def test_subset_is_random_seeded_and_leaves_test_alone(tmp_path):
    users = _users(tmp_path, val_users=50)
    assert len(users) == 50 and len(set(users)) == 50 and (np.diff(users) > 0).all()
    assert users.max() > 150  # drawn over all 300 users, not the first 50
    np.testing.assert_array_equal(users, _users(tmp_path, val_users=50))  # same users every time
    assert not np.array_equal(users, _users(tmp_path, val_users=50, val_seed=1))
    assert len(_users(tmp_path, "test", val_users=50)) == 300
    assert len(_users(tmp_path, val_users=10_000)) == 300  # more than there are: all of them
    # The samples of the drawn users are theirs: same history and target as in the full set.
    full = RecDataModule(
        indexer=SequentialIndexer(), synthetic=DATA, task="sequential", history_len=5,
        cache_dir=str(tmp_path))
    part = RecDataModule(
        indexer=SequentialIndexer(),
        synthetic=DATA, task="sequential", history_len=5, cache_dir=str(tmp_path), val_users=50
    )
    full.setup(), part.setup()
    a, b = full.dataset("validate"), part.dataset("validate")
    np.testing.assert_array_equal(a.history.numpy()[users], b.history.numpy())
    np.testing.assert_array_equal(a.target.numpy()[users], b.target.numpy())


def test_bad_subset_size_is_refused():
    with pytest.raises(ConfigError, match="--data.val_users"):
        RecDataModule(indexer=SequentialIndexer(), val_users=0)
