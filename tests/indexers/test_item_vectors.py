"""Codes quantised from item vectors read from a file: SASRec's exported embeddings or the
user's own (`--data.indexer.embeddings`). Leak-free end to end, cached by content, and every
untrustworthy file refused with one line."""

from __future__ import annotations

import lightning as L
import numpy as np
import polars as pl
import pytest

from datamodules.datamodule import RecDataModule
from datamodules.interactions import Interactions, Sequences
from datamodules.split import leave_one_out
from datamodules.synthetic import SyntheticConfig, generate
from indexers.graph import GraphIndexer
from indexers.item_vectors import read_item_vectors
from indexers.residual import ResidualIndexer
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError, DataFormatError
from lightlm.sasrec import SASRec

IDS = np.asarray(["a", "b", "c", "007"])


def _parquet(path, ids, vectors):
    pl.DataFrame({"item": list(ids), "embedding": [list(map(float, v)) for v in vectors]}).write_parquet(path)
    return str(path)


def test_vectors_follow_the_catalogue_order_in_both_layouts(tmp_path):
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    pq = _parquet(tmp_path / "v.parquet", IDS[::-1], vectors[::-1])  # rows in another order
    np.save(tmp_path / "v.npy", vectors)
    (tmp_path / "v.ids").write_text("\n".join(IDS) + "\n")
    catalogue = np.asarray(["007", "a", "c"])  # a subset, in the dataset's own order
    want = vectors[[3, 0, 2]]
    np.testing.assert_array_equal(read_item_vectors(pq, None, catalogue), want)
    np.testing.assert_array_equal(
        read_item_vectors(str(tmp_path / "v.npy"), str(tmp_path / "v.ids"), catalogue), want
    )


@pytest.mark.parametrize(
    "ids,vectors,message",
    [
        (["a", "b", "c"], [[1, 2]] * 3, "1 of the 4 catalogue items have no vector \\(e.g. '007'\\)"),
        (["a", "b", "c", "007", "a"], [[1, 2]] * 5, "item 'a' has 2 vectors"),
        (["a", "b", "c", "007"], [[1, 2], [1, float("nan")], [1, 2], [1, 2]], "item 'b' \\(row 2\\) has NaN"),
        (
            ["a", "b", "c", "007"],
            [[1, 2], [1, 2, 3], [1, 2], [1, 2]],
            "row 2 \\(item 'b'\\) has a vector of another length",
        ),
    ],
)
def test_untrustworthy_parquet_files_are_refused(tmp_path, ids, vectors, message):
    path = tmp_path / "v.parquet"
    pl.DataFrame({"item": ids, "embedding": [[float(x) for x in v] for v in vectors]}).write_parquet(path)
    with pytest.raises(DataFormatError, match=message):
        read_item_vectors(str(path), None, IDS)


def test_bad_layouts_are_refused(tmp_path):
    np.save(tmp_path / "flat.npy", np.zeros(4))
    (tmp_path / "ids").write_text("\n".join(IDS))
    with pytest.raises(DataFormatError, match="2-D numeric array"):
        read_item_vectors(str(tmp_path / "flat.npy"), str(tmp_path / "ids"), IDS)
    np.save(tmp_path / "v.npy", np.zeros((3, 2)))
    with pytest.raises(DataFormatError, match="4 ids for the 3 rows"):
        read_item_vectors(str(tmp_path / "v.npy"), str(tmp_path / "ids"), IDS)
    with pytest.raises(ConfigError, match="needs --data.indexer.embedding_ids"):
        ResidualIndexer(entities="items", embeddings=str(tmp_path / "v.npy"))
    later = ResidualIndexer(entities="items", embeddings=str(tmp_path / "none.parquet"))  # may come later
    with pytest.raises(ConfigError, match="no such file"):
        later.check_inputs()  # what the datamodule calls before it reads any data
    pl.DataFrame({"id": ["a"], "vec": [[1.0]]}).write_parquet(tmp_path / "cols.parquet")
    with pytest.raises(DataFormatError, match="needs columns 'item' and 'embedding'"):
        read_item_vectors(str(tmp_path / "cols.parquet"), None, IDS)
    pq = _parquet(tmp_path / "ok.parquet", IDS, np.ones((4, 2)))
    with pytest.raises(ConfigError, match="entities items"):
        GraphIndexer(embeddings=pq)  # co-indexing needs user vectors the file does not have


def test_rewritten_file_changes_the_cache_key(tmp_path):
    pq = _parquet(tmp_path / "v.parquet", IDS, np.ones((4, 2)))
    indexer = ResidualIndexer(entities="items", embeddings=pq)
    before = indexer.config()
    _parquet(tmp_path / "v.parquet", IDS, 2 * np.ones((4, 2)))
    assert indexer.config()["embeddings_digest"] != before["embeddings_digest"]
    assert "embeddings" not in ResidualIndexer().config()  # learned embeddings: key unchanged


class _Fixed(RecDataModule):
    """The datamodule over given interactions (fixed numbering), as a reader would produce."""

    def __init__(self, data: Interactions, **kw) -> None:
        super().__init__(**kw)
        self.data = data

    def read(self) -> Interactions:
        return self.data


def _sasrec_codes(data: Interactions, tmp_path) -> tuple[np.ndarray, np.ndarray]:
    dm = _Fixed(
        data,
        indexer=SequentialIndexer(),
        task="sequential",
        history_len=5,
        train_windows=True,
        batch_size=64,
        cache_dir=str(tmp_path / "cache"),
    )
    path = tmp_path / "emb.parquet"
    L.seed_everything(0)
    model = SASRec(
        d_model=16, n_layers=1, n_heads=1, d_ff=16, max_len=5, lr=1e-2, export_embeddings=str(path)
    )
    trainer = L.Trainer(
        max_epochs=2,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(model, datamodule=dm)
    vectors = read_item_vectors(str(path), None, data.item_ids)
    rq = ResidualIndexer(n_levels=2, codebook_size=4, entities="items", embeddings=str(path), seed=1)
    return vectors, rq.fit(leave_one_out(data).train, item_ids=data.item_ids).item_codes


def test_sasrec_codes_ignore_validation_and_test_items(tmp_path):
    """The whole path (SASRec trained on training interactions, its exported embeddings, their
    RQ codes) must not move when every user's two held-out items change."""
    data = generate(SyntheticConfig(n_users=150, n_items=40, n_communities=2, mean_length=8, seed=2))
    s = data.sequences
    items = s.items.copy()
    last = s.offsets[1:] - 1
    for pos in (last, last - 1):
        items[pos] = (items[pos] + 7) % s.n_items
    changed = Interactions(Sequences(s.offsets, items, s.n_items), data.user_ids, data.item_ids, "changed")
    vec_a, codes_a = _sasrec_codes(data, tmp_path / "a")
    vec_b, codes_b = _sasrec_codes(changed, tmp_path / "b")
    np.testing.assert_array_equal(vec_a, vec_b)
    np.testing.assert_array_equal(codes_a, codes_b)
    assert len(np.unique(codes_a[:, 0])) == 4  # the codes use the codebook, not a constant
