"""Reading interaction data, the leave-one-out split, tensorized datasets, the LightningDataModule."""

import os

# OpenMP worker threads spin while they wait by default. On a small CPU machine any other thread
# (the rich progress bar's refresh thread, W&B's writer, a DataLoader) then steals their core and
# every op waits out a scheduler slice: we measured training 5-20x slower on 2 cores. Passive
# waiting costs nothing measurable here. It must be set before torch loads, so it lives at the
# head of the data flow, which `lightlm` and `indexers` import first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
