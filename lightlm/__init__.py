"""LightLM: a deep-and-narrow encoder-decoder that generates item ID tokens."""

import datamodules  # noqa: F401  (first: it sets OMP_WAIT_POLICY before torch loads)

__version__ = "0.1.0"
