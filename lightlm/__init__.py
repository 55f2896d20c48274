"""LightLM: a deep-and-narrow encoder-decoder that generates item ID tokens."""

import os

# OpenMP worker threads spin while they wait by default. On a small CPU machine, any other thread
# (the rich progress bar's refresh thread, W&B's writer) then steals their core and every op
# waits out a scheduler slice: we measured training 20x slower on 2 cores. Passive waiting costs
# nothing measurable here. Must be set before torch is imported, hence in the package root.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
