"""P5 reading, the leave-one-out split and the tensorized samples."""

import numpy as np
import pytest

from datamodules.interactions import Interactions, Sequences
from datamodules.p5 import read_p5
from datamodules.samples import evaluation_samples, training_samples
from datamodules.split import leave_one_out
from kitbase.errors import DataFormatError


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
        ("1 2 3 4\n2 5 6 7\n2 8 9\n", "line 3: user 2 already appeared on line 2 .a P5 file has one line"),
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


def test_ids_are_kept_exactly_as_written(tmp_path):
    # '0001' keeps its zeros, '7' and '007' are two items, digits of another script and an id
    # beyond int64 are not numbers: every id of the file then stays the string it was.
    data = read_p5(_write(tmp_path, "0001 7 007 \u0661\u0662\n2 18446744073709551616 7\n"))
    assert data.user_ids.tolist() == ["0001", "2"]
    assert data.item_ids.tolist() == ["007", "18446744073709551616", "7", "\u0661\u0662"]
    assert [data.item_ids[data.sequences.sequence(u)].tolist() for u in range(2)] == [
        ["7", "007", "\u0661\u0662"],
        ["18446744073709551616", "7"],
    ]


def test_plain_integer_ids_stay_integers_in_numeric_order(tmp_path):
    # The public P5 files: numeric order (2 < 10), as before ids were kept as written.
    data = read_p5(_write(tmp_path, "10 2 10 -3\n2 10 2\n"))
    assert data.user_ids.dtype == np.int64 and data.user_ids.tolist() == [2, 10]
    assert data.item_ids.dtype == np.int64 and data.item_ids.tolist() == [-3, 2, 10]


def test_fields_split_on_ascii_whitespace_only(tmp_path):
    data = read_p5(_write(tmp_path, "1\ta\u00a0b  c\r\n"))
    assert data.item_ids.tolist() == ["a\u00a0b", "c"]


def test_gzip_file_reads_like_the_plain_one(tmp_path):
    import gzip

    text = "7 10 30 20 40\n3 30 10 50\n"
    packed = tmp_path / "data.txt.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    plain, zipped = read_p5(_write(tmp_path, text)), read_p5(packed)
    assert zipped.fingerprint() == plain.fingerprint()
    truncated = tmp_path / "cut.txt.gz"
    truncated.write_bytes(packed.read_bytes()[:-6])
    with pytest.raises(DataFormatError, match="cut.txt.gz: not a valid gzip file"):
        read_p5(truncated)


def test_latin1_file_names_the_line_and_byte(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes("1 2 3\n2 caf\xe9 4\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match=r"data.txt line 2: byte 0xe9 at column 6 is not UTF-8"):
        read_p5(path)


@pytest.mark.parametrize("name, fingerprint", [("beauty", "aafa5d96d2f5f4a7"), ("toys", "17ac631d906a1e87")])
def test_shared_p5_files_read_as_before(name, fingerprint):
    """Same ids, same numbering, same content hash as the integer reader that produced the
    README's figures (hashes recorded with it before ids were kept as written)."""
    from pathlib import Path

    path = Path(__file__).parents[2] / ".." / "shared" / "data" / name / "data.txt"
    if not path.is_file():
        pytest.skip(f"{path} is not on this machine")
    data = read_p5(path)
    assert data.item_ids.dtype == np.int64 and data.user_ids.dtype == np.int64
    assert data.fingerprint() == fingerprint
