"""Random and sequential indexing, the ItemIndex format and its integrity checks."""

import json

import numpy as np
import pytest

from datamodules.interactions import Sequences
from datamodules.item_index import ItemIndex
from indexers.base import append_disambiguation, digit_codes
from indexers.random_ids import RandomIndexer
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError, IndexMismatchError

TRAIN = Sequences.from_lists([[4, 2, 0], [2, 3], [5]], n_items=7)  # item 1 and 6 never trained


def test_digit_codes():
    assert digit_codes(np.array([0, 5, 123]), 10).tolist() == [[0, 0, 0], [0, 0, 5], [1, 2, 3]]
    with pytest.raises(ConfigError, match="base"):
        digit_codes(np.array([1]), 1)


def test_sequential_numbers_by_first_appearance():
    index = SequentialIndexer(base=3).fit(TRAIN)
    numbers = index.item_codes @ np.array([3, 1])
    # first appearance: 4, 2, 0, 3, 5, then unseen 1, 6
    order = [4, 2, 0, 3, 5, 1, 6]
    assert [int(numbers[i]) for i in order] == list(range(7))
    assert index.user_codes.tolist() == [[0], [1], [2]]


def test_random_is_a_seeded_permutation():
    a, b, c = (RandomIndexer(base=4, seed=s).fit(TRAIN) for s in (1, 1, 2))
    assert np.array_equal(a.item_codes, b.item_codes)
    assert not np.array_equal(a.item_codes, c.item_codes)
    numbers = a.item_codes @ np.array([4, 1])
    assert sorted(numbers.tolist()) == list(range(7))


def test_digit_user_tokens():
    index = RandomIndexer(base=2, user_tokens="digits").fit(TRAIN)
    assert index.user_codes.tolist() == [[0, 0], [0, 1], [1, 0]]


def test_disambiguation():
    prefix = np.array([[0, 1], [0, 1], [2, -1], [0, 1]])
    assert append_disambiguation(prefix).tolist() == [[0, 1, 0], [0, 1, 1], [2, 0, -1], [0, 1, 2]]
    assert append_disambiguation(prefix, always=False).tolist() == [
        [0, 1, 0], [0, 1, 1], [2, -1, -1], [0, 1, 2]
    ]


def test_save_load_and_tamper_detection(tmp_path):
    index = SequentialIndexer(base=3).fit(TRAIN, data_fingerprint="abc")
    path = tmp_path / "index.json"
    index.save(path)
    loaded = ItemIndex.load(path)
    assert np.array_equal(loaded.item_codes, index.item_codes)
    assert loaded.content_hash() == index.content_hash()
    d = json.loads(path.read_text())
    # Swap two items' codes: still a valid, unique index, but not the one that was saved.
    d["item_codes"][0], d["item_codes"][1] = d["item_codes"][1], d["item_codes"][0]
    path.write_text(json.dumps(d))
    with pytest.raises(IndexMismatchError, match="edited or corrupted"):
        ItemIndex.load(path)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temporary file


def test_duplicate_codes_are_refused():
    with pytest.raises(IndexMismatchError, match="not unique"):
        ItemIndex(np.array([[0, 1], [0, 1]]), np.array([[0]]), "x")
