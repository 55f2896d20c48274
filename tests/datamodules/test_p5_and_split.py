"""P5 reading, the leave-one-out split and the tensorized samples."""

import numpy as np
import pytest

from datamodules.errors import DataFormatError
from datamodules.interactions import Interactions, Sequences
from datamodules.p5 import read_p5
from datamodules.samples import evaluation_samples, training_samples
from datamodules.split import leave_one_out


def _write(tmp_path, text):
    path = tmp_path / "data.txt"
    path.write_text(text)
    return path


def test_reads_and_renumbers(tmp_path):
    data = read_p5(_write(tmp_path, "7 10 30 20 40\n3 30 10 50\n"))
    assert data.user_ids.tolist() == [3, 7]  # sorted by original id
    assert data.item_ids.tolist() == [10, 20, 30, 40, 50]
    assert data.sequences.sequence(0).tolist() == [2, 0, 4]  # user 3: 30 10 50
    assert data.sequences.sequence(1).tolist() == [0, 2, 1, 3]


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 2 3\n2\n", "line 2: expected 'user item"),
        ("1 2 x3\n", "line 1: item 'x3' is not an integer"),
        ("1 2 3 2\n", "line 1: item 2 appears twice"),
        ("1 2 3\n1 4 5\n", "line 2: user 1 already appeared on line 1"),
        ("\n\n", "holds no interactions"),
    ],
)
def test_malformed_files_name_the_line(tmp_path, text, message):
    with pytest.raises(DataFormatError, match=message):
        read_p5(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="no such data file"):
        read_p5(tmp_path / "nope.txt")


def test_leave_one_out_and_short_users(tmp_path):
    data = read_p5(_write(tmp_path, "1 1 2 3 4\n2 5 6\n3 7 8 9\n"))
    with pytest.warns(UserWarning, match="dropped 1 user"):
        split = leave_one_out(data)
    assert split.data.user_ids.tolist() == [1, 3]
    item = {int(v): i for i, v in enumerate(data.item_ids)}
    assert split.train.sequence(0).tolist() == [item[1], item[2]]
    assert split.train.sequence(1).tolist() == [item[7]]
    assert split.valid_target.tolist() == [item[3], item[8]]
    assert split.test_target.tolist() == [item[4], item[9]]
    # The test input holds the validation item, never the test item.
    assert split.history("test").sequence(0).tolist() == [item[1], item[2], item[3]]


def test_samples_are_prefixes_with_left_padding():
    train = Sequences.from_lists([[0, 1, 2], [3, 4]], n_items=5)
    s = training_samples(train, history_len=2)
    assert s.user.tolist() == [0, 0, 0, 1, 1]
    assert s.target.tolist() == [0, 1, 2, 3, 4]
    assert s.history.tolist() == [[-1, -1], [-1, 0], [0, 1], [-1, -1], [-1, 3]]
    batch = s.__getitems__([2, 4])
    assert batch["history"].tolist() == [[0, 1], [-1, 3]]
    e = evaluation_samples(train, np.array([4, 0]), history_len=2)
    assert e.history.tolist() == [[1, 2], [3, 4]] and e.target.tolist() == [4, 0]


def test_fingerprint_changes_with_content():
    a = Interactions(Sequences.from_lists([[0, 1, 2]], 3), np.array([1]), np.arange(3), "a")
    b = Interactions(Sequences.from_lists([[0, 2, 1]], 3), np.array([1]), np.arange(3), "b")
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == Interactions(a.sequences, a.user_ids, a.item_ids, "c").fingerprint()
