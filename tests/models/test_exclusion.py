"""`exclude_train_items`: with the option on, no recommended item is in the user's history (for
both models, through their own recommend path); with it off, untrained models do recommend some."""

import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.sequential import SequentialIndexer
from lightlm.generative import GenerativeRecommender
from lightlm.sasrec import SASRec

# A small catalogue so that histories cover much of it and the check has teeth.
DATA = SyntheticConfig(n_users=120, n_items=40, n_communities=2, mean_length=10, seed=3)


def _model(kind: str, exclude: bool):
    if kind == "sasrec":
        return SASRec(d_model=16, n_heads=1, d_ff=16, exclude_train_items=exclude)
    return GenerativeRecommender(preset="tiny", num_beams=20, exclude_train_items=exclude)


def _recommended_in_history(model, dm, stage: str) -> tuple[int, int]:
    """(recommended items found in the user's history, -1 pads) over all users of `stage`."""
    history = dm.split.history(stage)
    loader = dm.val_dataloader() if stage == "validate" else dm.test_dataloader()
    hits = pads = 0
    for batch in loader:
        items, _ = model.recommend(batch, stage)
        for user, row in zip(batch["user"].tolist(), items, strict=True):
            seen = set(history.sequence(user).tolist())
            hits += sum(int(i) in seen for i in row)
            pads += int((row < 0).sum())
    return hits, pads


@pytest.mark.parametrize("kind", ["sasrec", "generative"])
def test_excluded_items_never_recommended(tmp_path, kind):
    dm = RecDataModule(
        indexer=SequentialIndexer(), synthetic=DATA, task="sequential", history_len=5, eval_batch_size=64,
                       cache_dir=str(tmp_path))
    dm.setup()
    found = {}
    for exclude in (False, True):
        torch.manual_seed(0)
        model = _model(kind, exclude)
        model.attach(dm.index, dm.split, dm.history_len)
        model.eval()
        for stage in ("validate", "test"):
            found[exclude, stage] = _recommended_in_history(model, dm, stage)
    assert found[False, "validate"][0] > 0  # the check is not vacuous
    for stage in ("validate", "test"):
        hits, pads = found[True, stage]
        assert hits == 0
        assert pads == 0  # 40 items, histories far shorter: the beam still fills 20 real items
