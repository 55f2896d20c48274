"""SASRec-CE: causal masking, padding invariance, training on the shared datamodule, CLI selection."""

import lightning as L
import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError
from lightlm.cli import main
from lightlm.sasrec import SASRec

TINY = SyntheticConfig(n_users=300, n_items=60, n_communities=3, seed=1)


def _datamodule(tmp_path, task="sequential", history_len=8):
    dm = RecDataModule(
        indexer=SequentialIndexer(),
        synthetic=TINY, task=task, history_len=history_len, batch_size=64, cache_dir=str(tmp_path)
    )
    dm.setup()
    return dm


def _sasrec(dm, **kw):
    torch.manual_seed(0)
    model = SASRec(d_model=16, n_layers=2, n_heads=2, d_ff=32, dropout=0.0, **kw)
    model.attach(dm.index, dm.split, dm.history_len)
    return model.eval()


def test_direct_task_is_refused_naming_the_option(tmp_path):
    dm = _datamodule(tmp_path, task="direct")
    with pytest.raises(ConfigError, match="--data.task"):
        SASRec().attach(dm.index, dm.split, dm.history_len)


def test_bad_shape_fails_at_construction():
    with pytest.raises(ConfigError, match="n_heads"):
        SASRec(d_model=10, n_heads=3)


def test_state_ignores_padding_and_batch_companions(tmp_path):
    model = _sasrec(_datamodule(tmp_path))
    short = torch.tensor([[-1, -1, -1, -1, -1, -1, 3, 7]])
    long = torch.tensor([[5, 9, 1, 2, 4, 6, 8, 10]])
    with torch.no_grad():
        alone = model.user_state(short)
        together = model.user_state(torch.cat([short, long]))
        empty = model.user_state(torch.full((2, 8), -1))
    torch.testing.assert_close(alone[0], together[0], rtol=1e-5, atol=1e-6)
    assert torch.isfinite(empty).all()


def test_states_are_causal(tmp_path):
    """Changing a middle item moves the states at and after it and none before it; a model that
    attended both ways would move the earlier states too."""
    model = _sasrec(_datamodule(tmp_path))
    a = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])
    b = a.clone()
    b[0, 3] = 20
    with torch.no_grad():
        sa, sb = model.states(a), model.states(b)  # (1, 8, C)
    assert sa.shape == (1, 8, 16)
    torch.testing.assert_close(sa[:, :3], sb[:, :3], rtol=0, atol=1e-6)
    moved = (sa - sb).abs().amax(-1)[0]  # (8,) largest change at each position
    assert (moved[3:] > 1e-3).all(), moved


def test_recommend_is_top_k_of_full_scores(tmp_path):
    dm = _datamodule(tmp_path)
    model = _sasrec(dm)
    batch = next(iter(dm.val_dataloader()))
    items, scores = model.recommend(batch, "validate")
    full = model.scores(batch)
    expected = full.topk(20, dim=1)
    assert items.shape == (len(batch["user"]), 20)
    torch.testing.assert_close(scores, expected.values)
    assert (items.sort(1).values.diff(1) != 0).all()  # distinct items


def test_training_beats_popularity(tmp_path):
    dm = RecDataModule(
        indexer=SequentialIndexer(),
        synthetic=TINY, task="sequential", history_len=8, batch_size=128, cache_dir=str(tmp_path)
    )
    model = SASRec(d_model=32, n_layers=1, n_heads=1, d_ff=32, dropout=0.1, lr=1e-2)
    L.seed_everything(0)
    trainer = L.Trainer(
        max_epochs=3, num_sanity_val_steps=0, accelerator="cpu", logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
    )
    trainer.fit(model, dm)
    out = trainer.test(model, dm, verbose=False)[0]
    assert out["test/ndcg@10"] > out["test/popularity/ndcg@10"]


def test_cli_selects_sasrec_and_refuses_direct(tmp_path, capsys):
    common = [
        "--model.class_path", "lightlm.sasrec.SASRec", "--model.d_model", "16",
        "--data.synthetic.n_users", "200", "--data.synthetic.n_items", "50",
        "--data.cache_dir", str(tmp_path / "cache"), "--trainer.logger", "false",
        "--trainer.enable_progress_bar", "false", "--checkpoint.dirpath", str(tmp_path / "ck"),
        "--trainer.max_epochs", "1", "--trainer.limit_train_batches", "2",
        "--trainer.num_sanity_val_steps", "0",
    ]
    main(["fit", *common, "--data.task", "sequential", "--data.history_len", "5"])
    assert (tmp_path / "ck" / "best.ckpt").is_file()
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", *common, "--data.task", "direct"])
    assert exit_info.value.code == 2
    assert "--data.task" in capsys.readouterr().err
