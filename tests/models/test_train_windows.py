"""Window training (`--data.train_windows true`): every training target exactly once, no
validation or test item, and a causal model whose prediction for a position never reads the items
after it; SASRec and the generative model both train this way."""

import numpy as np
import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.interactions import Sequences
from datamodules.samples import training_windows
from datamodules.synthetic import SyntheticConfig
from indexers.registry import make_indexer
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError
from lightlm.generative import GenerativeRecommender
from lightlm.sasrec import SASRec


def test_windows_cut_from_the_end_cover_every_target_once():
    seqs = Sequences.from_lists([np.arange(6), np.arange(10, 12), np.arange(20, 21), np.arange(30, 38)], 40)
    w = training_windows(seqs, 3)
    assert w.user.tolist() == [0, 0, 1, 3, 3, 3]  # user 2 (one item) has nothing to predict
    assert w.history.tolist() == [
        [2, 3, 4], [-1, 0, 1], [-1, -1, 10], [34, 35, 36], [31, 32, 33], [-1, -1, 30]
    ]
    assert w.targets.tolist() == [
        [3, 4, 5], [-1, 1, 2], [-1, -1, 11], [35, 36, 37], [32, 33, 34], [-1, -1, 31]
    ]
    assert w.target.tolist() == [5, 2, 11, 37, 34, 31]


@pytest.fixture(scope="module")
def dm(tmp_path_factory):
    cfg = SyntheticConfig(n_users=200, n_items=60, n_communities=3, seed=1)
    dm = RecDataModule(synthetic=cfg, indexer=make_indexer("sequential", base=4), task="sequential",
                       history_len=5, train_windows=True, batch_size=32,
                       cache_dir=str(tmp_path_factory.mktemp("cache")))
    dm.setup()
    return dm


def test_datamodule_windows_hold_training_targets_only(dm):
    ds = dm.dataset("fit")
    train = dm.split.train
    lengths = np.diff(train.offsets)
    got = sorted(zip(ds.user.repeat_interleave(5).tolist(), ds.targets.flatten().tolist()))
    got = [(u, i) for u, i in got if i >= 0]
    want = sorted(
        (u, int(i))
        for u in range(train.n_users)
        for i in train.items[train.offsets[u] + 1 : train.offsets[u + 1]]
    )
    assert got == want and len(want) == int(np.maximum(lengths - 1, 0).sum())
    held_out = set(zip(range(train.n_users), dm.split.valid_target)) | set(
        zip(range(train.n_users), dm.split.test_target)
    )
    assert not held_out & set(got)
    assert set(next(iter(dm.train_dataloader()))) == {"user", "history", "target", "targets"}
    with pytest.raises(ConfigError, match="train_windows"):
        RecDataModule(indexer=SequentialIndexer(), task="direct", train_windows=True)


def _generative(dm, **kw):
    torch.manual_seed(0)
    model = GenerativeRecommender(**{"preset": "tiny", "num_beams": 20, "history_input": "items",
                                     "causal_encoder": True, **kw})
    model.attach(dm.index, dm.split, dm.history_len)
    return model.eval()


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(user_input=False),
        dict(history_input="codes"),
        dict(user_input=False, decoder_start="newest"),
        dict(history_input="codes", decoder_start="newest"),
    ],
)
def test_generative_window_prediction_never_reads_later_items(dm, kw):
    model = _generative(dm, **kw)
    batch = dm.dataset("fit").__getitems__(list(range(40)))
    logits, items, newest = model.window_states(batch)
    # Change every history item after position 2; the targets at positions <= 2 keep their logits.
    changed = dict(batch, history=batch["history"].clone())
    later = changed["history"][:, 3:]
    changed["history"][:, 3:] = torch.where(later >= 0, (later + 7) % dm.index.n_items, later)
    logits2, items2, newest2 = model.window_states(changed)
    rows, t = (batch["targets"] >= 0).nonzero(as_tuple=True)
    early = t <= 2
    assert early.any() and (~early).any()
    torch.testing.assert_close(logits2[early], logits[early])
    assert not torch.allclose(logits2[~early], logits[~early])
    torch.testing.assert_close(newest2[early], newest[early])
    # The newest target of a window is what a prefix sample of the same items predicts.
    prefix = {"user": batch["user"], "history": batch["history"], "target": batch["target"]}
    src = model.encoder_input(prefix)
    from lightlm.generative import _teacher_input

    memory, mask = model.model.encode(src)
    tgt_in = _teacher_input(model.item_tokens[batch["target"]])
    start = model.model.start_states(memory)
    full = model.model.decode_states(model.model.memory_kv(memory), mask, tgt_in, start=start)
    torch.testing.assert_close(logits[t == 4], full[batch["targets"][:, 4] >= 0])
    torch.testing.assert_close(items, batch["targets"][rows, t])
    torch.testing.assert_close(newest[t == 4], memory[batch["targets"][:, 4] >= 0, -1])


def test_encoder_item_loss_adds_the_encoders_own_next_item_cross_entropy(dm):
    """The window loss with `encoder_item_loss` w is the code loss plus w times the catalogue-wide
    cross-entropy of each target against the encoder output it is predicted after, recomputed
    here one target at a time from a prefix pass (newest history item last)."""
    kw = dict(user_input=False, history_input="items+ids", last_step="item", prefix_len=1,
              item_softmax="siblings", dropout=0.0)
    plain, weighted = _generative(dm, **kw), _generative(dm, encoder_item_loss=0.5, **kw)
    weighted.load_state_dict(plain.state_dict())
    batch = dm.dataset("fit").__getitems__(list(range(16)))
    rows, t = (batch["targets"] >= 0).nonzero(as_tuple=True)
    by_hand = []
    start, n = weighted.model.item_tokens
    for r, p in zip(rows.tolist(), t.tolist()):
        prefix = {"user": batch["user"][r : r + 1], "history": batch["history"][r : r + 1, : p + 1]}
        memory, _ = weighted.model.encode(weighted.encoder_input(prefix))
        logits = memory[0, -1] @ weighted.model.embed.weight[start : start + n].T
        by_hand.append(-logits.log_softmax(-1)[batch["targets"][r, p]])
    with torch.no_grad():
        gap = weighted.window_step(batch) - plain.window_step(batch)
    assert float(gap) > 0.1
    torch.testing.assert_close(gap, 0.5 * torch.stack(by_hand).mean(), rtol=1e-4, atol=1e-5)


def test_window_training_needs_a_causal_model(dm, tmp_path):
    import lightning as L

    model = GenerativeRecommender(preset="tiny", num_beams=20, history_input="items")
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        default_root_dir=tmp_path)
    with pytest.raises(ConfigError, match="causal_encoder"):
        trainer.fit(model, datamodule=dm)


def _sasrec_prefix_state(model: SASRec, prefix: torch.Tensor) -> torch.Tensor:
    """(C,) state after the newest item of one history prefix (T,) (-1 = padding), from a pass
    over the prefix alone: no later item is in the input, so no mask is needed for causality."""
    pad = prefix < 0
    x = model.item_embed(prefix.masked_fill(pad, model.n_items)) + model.pos_embed(torch.arange(len(prefix)))
    blocked = pad[None, :].expand(len(prefix), -1) & ~torch.eye(len(prefix), dtype=torch.bool)  # (T, T)
    x = x[None]
    for block in model.blocks:
        x = block(x, blocked.repeat(model.hparams.n_heads, 1, 1))
    return model.norm(x)[0, -1]


def test_sasrec_window_loss_matches_per_position_scores(dm):
    torch.manual_seed(0)
    model = SASRec(d_model=16, n_layers=1, n_heads=1, d_ff=32, dropout=0.0, max_len=5)
    model.attach(dm.index, dm.split, dm.history_len)
    with torch.no_grad():  # away from the near-uniform initial attention, so every key matters
        for p in model.parameters():
            p.normal_(0.0, 0.5)
    batch = dm.dataset("fit").__getitems__(list(range(40)))
    loss = model.model_step(batch)
    # By hand: the target of window column t is scored from a pass over columns 0..t alone, at the
    # positions they hold in the window (windows are max_len wide), with one plain cross-entropy each.
    assert batch["history"].shape[1] == model.seq_len == 5
    losses = []
    with torch.no_grad():
        for history, targets in zip(batch["history"], batch["targets"], strict=True):
            for t in (targets >= 0).nonzero().flatten().tolist():
                state = _sasrec_prefix_state(model, history[: t + 1])
                logits = state @ model.item_embed.weight[: dm.index.n_items].T
                losses.append(torch.nn.functional.cross_entropy(logits[None], targets[t : t + 1]))
    assert len(losses) > 2 * len(batch["user"])  # several targets per window, not one
    torch.testing.assert_close(loss.detach(), torch.stack(losses).mean(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", ["generative", "sasrec"])
def test_window_training_beats_popularity(dm, tmp_path, make):
    import lightning as L

    L.seed_everything(0)
    if make == "generative":  # codes of arbitrary (sequential) ids are learnt slowly: more epochs
        model = GenerativeRecommender(preset="tiny", num_beams=20, history_input="items+ids",
                                      causal_encoder=True, lr=3e-3)
        epochs = 30
    else:
        model = SASRec(d_model=32, n_layers=1, n_heads=1, d_ff=64, dropout=0.1, max_len=5, lr=1e-2)
        epochs = 8
    trainer = L.Trainer(max_epochs=epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(model, datamodule=dm)
    out = trainer.test(model, datamodule=dm, verbose=False)[0]
    assert out["test/ndcg@10"] > 1.3 * out["test/popularity/ndcg@10"]
