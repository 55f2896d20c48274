"""usage: dropout_share.py: seconds per training step of the lightlm preset (the train_speed.py step,
synthetic data, batch 256, torch's default threads) with its dropout (0.1) against the same network
without dropout, in turns, 3 repetitions of 5 steps: how much of a CPU step dropout's mask generation
and scaling take."""

import statistics
import sys
import time

import torch

sys.path.insert(0, ".")
from benchmarks.train_speed import Trainee  # noqa: E402
from datamodules.datamodule import RecDataModule  # noqa: E402
from indexers.sequential import SequentialIndexer  # noqa: E402
from lightlm.generative import GenerativeRecommender  # noqa: E402
from lightlm.optimization import OptimizerSettings  # noqa: E402

dm = RecDataModule(path=None, indexer=SequentialIndexer(base=100), cache_dir=".lightlm_cache")
dm.setup("fit")
train = dm.dataset("fit")
order = torch.randperm(len(train), generator=torch.Generator().manual_seed(2022))[: 8 * 256].tolist()
batches = [train.__getitems__(order[i : i + 256]) for i in range(0, len(order), 256)]
trainees = {}
for name, dropout in (("dropout 0.1", None), ("dropout 0", 0.0)):
    torch.manual_seed(2022)
    rec = GenerativeRecommender(preset="lightlm", dropout=dropout)
    rec.attach(dm.index, dm.split, dm.history_len)
    trainees[name] = Trainee(rec, "eager", torch.device("cpu"), lr=OptimizerSettings.lr)
    trainees[name].steps(batches[:3])
times = {k: [] for k in trainees}
for _ in range(3):
    for k, t in trainees.items():
        start = time.perf_counter()
        t.steps(batches[3:])
        times[k].append((time.perf_counter() - start) / 5)
med = {k: statistics.median(v) for k, v in times.items()}
print(f"threads {torch.get_num_threads()}; s per step: " + ", ".join(f"{k} {v:.3f}" for k, v in med.items())
      + f"; without dropout {med['dropout 0.1'] / med['dropout 0']:.2f}x faster")
