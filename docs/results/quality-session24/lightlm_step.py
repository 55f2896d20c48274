"""The lightlm preset's training step as benchmarks/train_speed.py times it (synthetic data, batch 256,
forward, loss, backward, clipping, fused AdamW), for the session's profiles (prof_train.py,
prof_shapes.py, dropout_share.py); run them from the repository root."""

import sys

import torch

sys.path.insert(0, ".")
from benchmarks.train_speed import Trainee  # noqa: E402
from datamodules.datamodule import RecDataModule  # noqa: E402
from indexers.sequential import SequentialIndexer  # noqa: E402
from lightlm.generative import GenerativeRecommender  # noqa: E402
from lightlm.optimization import OptimizerSettings  # noqa: E402


def synthetic_batches(n: int) -> tuple[RecDataModule, list[dict]]:
    """The synthetic data module and `n` training batches of 256 samples, in a seeded random order."""
    dm = RecDataModule(path=None, indexer=SequentialIndexer(base=100), cache_dir=".lightlm_cache")
    dm.setup("fit")
    train = dm.dataset("fit")
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(2022))[: n * 256].tolist()
    return dm, [train.__getitems__(order[i : i + 256]) for i in range(0, len(order), 256)]


def lightlm_trainee(dm: RecDataModule, dropout: float | None = None) -> Trainee:
    """A freshly seeded lightlm-preset model (its own dropout unless `dropout`) with its optimizer."""
    torch.manual_seed(2022)
    rec = GenerativeRecommender(preset="lightlm", dropout=dropout)
    rec.attach(dm.index, dm.split, dm.history_len)
    return Trainee(rec, "eager", torch.device("cpu"), lr=OptimizerSettings.lr)
