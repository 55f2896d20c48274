"""The sequential task (docs/method.md section 2): every training prefix predicts its next item, evaluation
inputs end just before the held-out item, and the generative encoder input works with every indexer."""

import numpy as np
import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.interactions import Interactions, Sequences
from datamodules.samples import evaluation_samples, training_samples
from datamodules.split import leave_one_out
from datamodules.synthetic import SyntheticConfig
from indexers.registry import INDEXERS, make_indexer
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError
from lightlm.generative import GenerativeRecommender
from lightlm.networks.tokens import PAD, TokenLayout

# Two users: items 0..5 and 6..9 (indices), in order.
SEQS = [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]


def _split():
    data = Interactions(
        Sequences.from_lists([np.asarray(s) for s in SEQS], 10),
        user_ids=np.array(["u1", "u2"]), item_ids=np.array([str(i + 1) for i in range(10)]), source="test",
    )
    return leave_one_out(data)


def test_training_samples_are_every_prefix_left_padded():
    s = training_samples(_split().train, history_len=3)
    # user 0 trains on 0 1 2 3, user 1 on 6 7.
    assert s.user.tolist() == [0, 0, 0, 0, 1, 1]
    assert s.target.tolist() == [0, 1, 2, 3, 6, 7]
    assert s.history.tolist() == [
        [-1, -1, -1], [-1, -1, 0], [-1, 0, 1], [0, 1, 2], [-1, -1, -1], [-1, -1, 6],
    ]


def test_evaluation_inputs_end_just_before_the_target():
    split = _split()
    val = evaluation_samples(split.history("validate"), split.valid_target, history_len=3)
    test = evaluation_samples(split.history("test"), split.test_target, history_len=3)
    assert val.target.tolist() == [4, 8] and test.target.tolist() == [5, 9]
    assert val.history.tolist() == [[1, 2, 3], [-1, 6, 7]]
    assert test.history.tolist() == [[2, 3, 4], [6, 7, 8]]  # the validation item is the newest input


def test_no_input_ever_holds_its_own_target():
    split = _split()
    for stage, target in (("validate", split.valid_target), ("test", split.test_target)):
        s = evaluation_samples(split.history(stage), target, history_len=10)
        assert not (s.history == s.target[:, None]).any()
        assert not np.isin(split.test_target, split.history("validate").items).any()


def test_direct_task_has_no_history_and_bad_length_is_refused(tmp_path):
    dm = RecDataModule(
        indexer=SequentialIndexer(), synthetic=SyntheticConfig(n_users=50, n_items=40, n_communities=2,
        mean_length=8),
                       task="direct", history_len=7, cache_dir=str(tmp_path))
    dm.setup()
    assert dm.history_len == 0 and dm.dataset("fit").history.shape[1] == 0
    with pytest.raises(ConfigError, match="history_len"):
        RecDataModule(indexer=SequentialIndexer(), task="sequential", history_len=0)


@pytest.mark.parametrize("indexer", sorted(INDEXERS))
def test_generative_sequential_input_with_every_indexer(tmp_path, indexer):
    cfg = SyntheticConfig(n_users=150, n_items=60, n_communities=3, seed=1)
    dm = RecDataModule(synthetic=cfg, indexer=make_indexer(indexer), task="sequential", history_len=4,
                       batch_size=32, cache_dir=str(tmp_path))
    dm.setup()
    model = GenerativeRecommender(preset="tiny", num_beams=20)
    model.attach(dm.index, dm.split, dm.history_len)
    layout = TokenLayout.from_index(dm.index)
    batch = next(iter(dm.train_dataloader()))
    src = model.encoder_input(batch)
    U, L = layout.user_tokens.shape[1], layout.code_len
    assert src.shape == (len(batch["user"]), U + 4 * L)
    torch.testing.assert_close(src[:, :U], layout.user_tokens[batch["user"]])
    codes = src[:, U:].view(-1, 4, L)
    hist = batch["history"]
    assert (codes[hist < 0] == PAD).all()
    torch.testing.assert_close(codes[hist >= 0], layout.item_tokens[hist[hist >= 0]])
    loss = model.model_step(batch)
    loss.backward()
    assert torch.isfinite(loss)
    items, _ = model.eval().recommend(next(iter(dm.val_dataloader())), "validate")
    assert ((items >= 0) & (items < dm.index.n_items)).all()
