"""read_log on tiny logs written by each test: formats, filters, ordering, and error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from datamodules.interactions import Interactions
from datamodules.logs import read_log
from kitbase.errors import ConfigError, DataFormatError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def seqs(data: Interactions) -> dict:
    """{original user id: [original item ids in order]}, the easiest shape to assert on."""
    s, users = data.sequences, data.user_ids.tolist()
    return {users[u]: data.item_ids[s.sequence(u)].tolist() for u in range(s.n_users)}


def test_csv_with_header_orders_by_time_and_renumbers_by_sorted_id(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "user,item,timestamp\n2,30,300\n1,10,200\n2,10,100\n1,20,100\n1,30,300\n",
    )
    data = read_log(path, k_core=0)
    assert data.source == str(path)
    assert data.user_ids.tolist() == [1, 2]
    assert data.user_ids.dtype == np.int64
    assert data.item_ids.tolist() == [10, 20, 30]
    assert data.sequences.offsets.tolist() == [0, 3, 5]
    assert data.sequences.items.tolist() == [1, 0, 2, 0, 2]  # user 1: 20, 10, 30; user 2: 10, 30
    assert data.n_items == 3


def test_tsv_without_header_uses_positions(tmp_path: Path) -> None:
    path = write(tmp_path / "log.tsv", "a\tx\t5\t2\nb\ty\t1\t1\na\tz\t4\t1\nb\tx\t2\t3\n")
    data = read_log(path, has_header=False, user_col="0", item_col="1", time_col="3", k_core=0)
    assert seqs(data) == {"a": ["z", "x"], "b": ["y", "x"]}
    # The rating column is ignored unless named.
    data = read_log(
        path,
        has_header=False,
        user_col="0",
        item_col="1",
        time_col="3",
        rating_col="2",
        min_rating=3,
        k_core=0,
    )
    assert seqs(data) == {"a": ["z", "x"]}


def test_parquet_with_datetimes_and_explicit_format(tmp_path: Path) -> None:
    path = tmp_path / "log.bin"
    pl.DataFrame(
        {
            "uid": [7, 7, 3, 3, 7],
            "iid": ["b", "a", "a", "c", "c"],
            "when": pl.Series(
                ["2021-01-03", "2021-01-01", "2021-01-02", "2021-01-01", "2021-01-02"]
            ).str.to_datetime("%Y-%m-%d"),
        }
    ).write_parquet(path)
    data = read_log(
        path, format="parquet", user_col="uid", item_col="iid", time_col="when", k_core=0
    )
    assert seqs(data) == {3: ["c", "a"], 7: ["a", "c", "b"]}
    assert data.item_ids.tolist() == ["a", "b", "c"]


def test_iso_timestamp_strings_of_several_shapes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "user,item,timestamp\n"
        "1,a,2020-01-02\n"  # 2020-01-02 00:00 UTC
        "1,b,2020-01-01T23:00:00+02:00\n"  # 21:00 UTC on the 1st
        "1,c,2020-01-01 22:30:00.5\n"
        "1,d,2020-01-01T20:00Z\n",
    )
    assert seqs(read_log(path, k_core=0)) == {1: ["d", "b", "c", "a"]}


def test_k_core_is_iterated_until_stable(tmp_path: Path) -> None:
    # k=2. Round 1 removes item z (1 interaction); only then does user C fall to 1 interaction
    # and go in round 2. A single round would keep C.
    rows = [("A", "x"), ("A", "y"), ("B", "x"), ("B", "y"), ("C", "y"), ("C", "z")]
    text = "user,item,timestamp\n" + "".join(f"{u},{i},{t}\n" for t, (u, i) in enumerate(rows))
    path = write(tmp_path / "log.csv", text)
    data = read_log(path, k_core=2)
    assert seqs(data) == {"A": ["x", "y"], "B": ["x", "y"]}
    assert data.n_items == 2
    # k_core 0 and 1 both disable the filter.
    assert len(read_log(path, k_core=0).sequences) == 6
    assert len(read_log(path, k_core=1).sequences) == 6


def test_min_rating_drops_rows_before_the_k_core(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "user,item,rating,timestamp\n1,a,5,1\n1,b,2.5,2\n1,c,4,3\n2,a,3,1\n2,c,3.5,2\n",
    )
    data = read_log(path, rating_col="rating", min_rating=3.5, k_core=0)
    assert seqs(data) == {1: ["a", "c"], 2: ["c"]}
    assert data.item_ids.tolist() == ["a", "c"]  # b is gone from the catalogue too
    with pytest.raises(DataFormatError, match="no rating in column 'rating' is >= min_rating=6"):
        read_log(path, rating_col="rating", min_rating=6, k_core=0)
    with pytest.raises(ConfigError, match="min_rating needs rating_col"):
        read_log(path, min_rating=3)


def test_ties_keep_file_order_and_duplicates_keep_the_earliest(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "user,item,timestamp\n"
        "1,c,5\n"
        "1,a,5\n"
        "1,b,5\n"
        "1,d,9\n"
        "1,d,2\n"  # duplicate of (1, d): the earlier time wins, the later row is dropped
        "1,a,7\n",  # duplicate of (1, a) at a later time: dropped
    )
    assert seqs(read_log(path, k_core=0)) == {1: ["d", "c", "a", "b"]}


def test_no_time_column_keeps_file_order(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,item\n1,c\n1,a\n1,b\n")
    assert seqs(read_log(path, time_col=None, k_core=0)) == {1: ["c", "a", "b"]}


def test_non_integer_ids_stay_strings_sorted_as_strings(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv", "user,item,timestamp\nu9,007,1\nu10,7,1\nu9,12,2\nu10,007,2\n"
    )
    data = read_log(path, k_core=0)
    assert data.user_ids.tolist() == ["u10", "u9"]
    # '007' and '7' are different spellings, so they stay two items and ids stay strings.
    assert data.item_ids.tolist() == ["007", "12", "7"]
    assert seqs(data) == {"u10": ["7", "007"], "u9": ["007", "12"]}


def test_missing_column_names_file_column_and_available_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,product,timestamp\n1,2,3\n")
    with pytest.raises(DataFormatError) as e:
        read_log(path)
    msg = str(e.value)
    assert str(path) in msg and "'item'" in msg
    assert "['user', 'product', 'timestamp']" in msg


def test_unparseable_timestamp_names_row_and_value(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,item,timestamp\n1,a,10\n1,b,11\n1,c,soon\n")
    with pytest.raises(DataFormatError) as e:
        read_log(path, k_core=0)
    msg = str(e.value)
    assert f"{path} row 3 (line 4)" in msg and "'soon'" in msg
    iso = write(tmp_path / "iso.csv", "user,item,timestamp\n1,a,2020-01-01\n1,b,2020-13-45\n")
    with pytest.raises(DataFormatError, match=r"row 2 \(line 3\): timestamp '2020-13-45'"):
        read_log(iso, k_core=0)


def test_parquet_wrong_types_name_column_and_dtype(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pl.DataFrame({"user": [1], "item": [2], "timestamp": [True]}).write_parquet(path)
    with pytest.raises(DataFormatError, match=r"column 'timestamp' \(timestamp\) has type Boolean"):
        read_log(path, k_core=0)
    pl.DataFrame({"user": [1], "item": [2], "timestamp": [3], "stars": ["good"]}).write_parquet(
        path
    )
    with pytest.raises(DataFormatError, match=r"column 'stars' \(rating\) has type String"):
        read_log(path, rating_col="stars", k_core=0)


def test_k_core_leaving_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,item,timestamp\n1,a,1\n1,b,2\n2,a,3\n")
    with pytest.raises(DataFormatError, match="k-core=5 left no interactions"):
        read_log(path)


def test_missing_empty_and_unknown_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataFormatError, match=f"{missing}: no such data file"):
        read_log(missing)
    with pytest.raises(DataFormatError, match="empty"):
        read_log(write(tmp_path / "empty.csv", ""))
    with pytest.raises(DataFormatError, match="holds no interactions"):
        read_log(write(tmp_path / "header.csv", "user,item,timestamp\n"))
    with pytest.raises(DataFormatError, match=r"cannot tell the format from the suffix '\.xlsx'"):
        read_log(write(tmp_path / "log.xlsx", "user,item,timestamp\n1,2,3\n"))


def _amazon_2018(path: Path, rows: list[tuple[str, str, float, int]]) -> Path:
    """Review records in the 2018 dump's schema, with the extra fields real records carry."""
    import json

    lines = [
        json.dumps(
            {
                "overall": r, "verified": True, "reviewTime": "01 1, 2014", "reviewerID": u,
                "asin": i, "style": {"Size:": " Small"}, "reviewText": "a, b\tc", "unixReviewTime": t,
            }
        )
        for u, i, r, t in rows
    ]  # fmt: skip
    data = ("\n".join(lines) + "\n").encode()
    if path.suffix == ".gz":
        import gzip

        data = gzip.compress(data)
    path.write_bytes(data)
    return path


ROWS = [("A2", "0B01", 5.0, 30), ("A2", "B02", 2.0, 10), ("A1", "B02", 4.0, 20), ("A1", "0B01", 3.0, 20)]


@pytest.mark.parametrize("name", ["reviews.json", "reviews.jsonl.gz"])
def test_amazon_2018_json_lines_with_the_preset(tmp_path: Path, name: str) -> None:
    path = _amazon_2018(tmp_path / name, ROWS)
    data = read_log(path, preset="amazon-2018", k_core=0)
    assert seqs(data) == {"A1": ["B02", "0B01"], "A2": ["B02", "0B01"]}
    with pytest.warns(UserWarning, match=r"min_rating=4 .* dropped 2 of 4 interactions"):
        data = read_log(path, preset="amazon-2018", min_rating=4, k_core=0)
    assert seqs(data) == {"A1": ["B02"], "A2": ["0B01"]}
    # A column given explicitly wins over the preset's.
    assert seqs(read_log(path, preset="amazon-2018", time_col=None, k_core=0))["A2"] == ["0B01", "B02"]


def test_amazon_2023_json_lines_with_the_preset(tmp_path: Path) -> None:
    import json

    recs = [
        {"rating": 5.0, "asin": "V1", "parent_asin": "P1", "user_id": "U1", "timestamp": 1588615855070},
        {"rating": 4.0, "asin": "V2", "parent_asin": "P2", "user_id": "U1", "timestamp": 1588615855069},
    ]
    path = tmp_path / "Beauty.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    assert seqs(read_log(path, preset="amazon-2023", k_core=0)) == {"U1": ["P2", "P1"]}


def test_json_lines_errors_name_the_file(tmp_path: Path) -> None:
    path = _amazon_2018(tmp_path / "reviews.json", ROWS)
    keys = r"reviews.json: no column 'user'; the first record has keys \['overall'.* --data.log.preset"
    with pytest.raises(DataFormatError, match=keys):
        read_log(path, k_core=0)
    array = write(tmp_path / "array.json", '[{"user": 1, "item": 2}]\n')
    array_msg = r"array.json line 1: expected one JSON object per line, got a JSON array"
    with pytest.raises(DataFormatError, match=array_msg):
        read_log(array, time_col=None, k_core=0)
    missing = write(tmp_path / "gap.jsonl", '{"user": "a", "item": "x"}\n{"item": "y"}\n')
    with pytest.raises(DataFormatError, match=r"gap.jsonl row 2 \(line 2\): missing user in column 'user'"):
        read_log(missing, time_col=None, k_core=0)
    with pytest.raises(ConfigError, match="--data.log.preset must be one of"):
        read_log(missing, preset="amazon-2014")


def test_gzip_csv_reads_like_the_plain_one(tmp_path: Path) -> None:
    import gzip

    text = "user,item,timestamp\n2,30,300\n1,10,200\n2,10,100\n"
    (tmp_path / "log.csv.gz").write_bytes(gzip.compress(text.encode()))
    plain = read_log(write(tmp_path / "log.csv", text), k_core=0)
    assert read_log(tmp_path / "log.csv.gz", k_core=0).fingerprint() == plain.fingerprint()


def test_a_column_named_twice_in_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,item,item,timestamp\n1,a,b,1\n")
    with pytest.raises(DataFormatError, match=r"log.csv line 1: the header names column 'item' twice"):
        read_log(path, k_core=0)
    # A repeated column that is not read is no ambiguity.
    other = write(tmp_path / "other.csv", "user,item,note,note,timestamp\n1,a,x,y,1\n")
    assert seqs(read_log(other, k_core=0)) == {1: ["a"]}


def test_latin1_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes("user,item,timestamp\n1,a,1\n1,caf\xe9,2\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match=r"log.csv line 3: byte 0xe9 at column 6 is not UTF-8"):
        read_log(path, k_core=0)


def test_unsigned_64_bit_parquet_ids_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    big = 2**64 - 1
    pl.DataFrame(
        {
            "user": pl.Series([big, 1], dtype=pl.UInt64),
            "item": pl.Series([big, 5], dtype=pl.UInt64),
            "timestamp": [1, 2],
        }
    ).write_parquet(path)
    data = read_log(path, k_core=0)
    assert data.user_ids.tolist() == [1, big] and data.item_ids.tolist() == [5, big]
    small = tmp_path / "small.parquet"
    pl.DataFrame(
        {"user": pl.Series([3, 1], dtype=pl.UInt64), "item": [5, 6], "timestamp": [1, 2]}
    ).write_parquet(small)
    assert read_log(small, k_core=0).user_ids.dtype == np.int64


def test_ids_beyond_int64_in_a_csv_stay_strings(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "user,item,timestamp\n18446744073709551616,1,1\n2,1,2\n")
    assert read_log(path, k_core=0).user_ids.tolist() == ["18446744073709551616", "2"]


def test_every_filter_reports_what_it_dropped(tmp_path: Path) -> None:
    # 4 users x 3 items fully connected survive a 3-core; user D (1 row) and item z go; D's
    # repeated row is a duplicate pair.
    rows = [(u, i) for u in "ABC" for i in "xyz"][:-1] + [("C", "z"), ("D", "x"), ("D", "x"), ("A", "w")]
    text = "user,item,timestamp\n" + "".join(f"{u},{i},{t}\n" for t, (u, i) in enumerate(rows))
    path = write(tmp_path / "log.csv", text)
    with pytest.warns(UserWarning) as caught:
        data = read_log(path, k_core=3)
    messages = [str(w.message) for w in caught]
    assert messages == [
        f"{path}: keeping each (user, item) pair once (at its earliest time) dropped 1 of 12 interactions",
        f"{path}: k_core=3 (--data.log.k_core: every user and item left has 3+ interactions) "
        "dropped 1 of 4 users, 1 of 4 items and 2 of 11 interactions",
    ]
    assert seqs(data) == {"A": ["x", "y", "z"], "B": ["x", "y", "z"], "C": ["x", "y", "z"]}
