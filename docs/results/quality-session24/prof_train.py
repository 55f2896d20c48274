"""usage: prof_train.py [--no-clip]: where a training step of the lightlm preset spends its time on this
CPU (torch.profiler over 6 steps after 3 warm-up steps; synthetic data, batch 256, torch's default
threads), the same step as benchmarks/train_speed.py (forward, loss, backward, clipping unless --no-
clip, fused AdamW)."""

import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, ".")
from benchmarks.train_speed import Trainee  # noqa: E402
from datamodules.datamodule import RecDataModule  # noqa: E402
from indexers.sequential import SequentialIndexer  # noqa: E402
from lightlm.generative import GenerativeRecommender  # noqa: E402
from lightlm.optimization import OptimizerSettings  # noqa: E402

dm = RecDataModule(path=None, indexer=SequentialIndexer(base=100), cache_dir=".lightlm_cache")
dm.setup("fit")
train = dm.dataset("fit")
order = torch.randperm(len(train), generator=torch.Generator().manual_seed(2022))[: 9 * 256].tolist()
batches = [train.__getitems__(order[i : i + 256]) for i in range(0, len(order), 256)]
torch.manual_seed(2022)
rec = GenerativeRecommender(preset="lightlm")
rec.attach(dm.index, dm.split, dm.history_len)
t = Trainee(rec, "eager", torch.device("cpu"), lr=OptimizerSettings.lr)
if "--no-clip" in sys.argv:
    torch.nn.utils.clip_grad_norm_ = lambda *a, **k: None
t.steps(batches[:3])
with profile(activities=[ProfilerActivity.CPU]) as prof:
    t.steps(batches[3:])
print(f"threads {torch.get_num_threads()}")
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
