"""LightLM: a deep-and-narrow encoder-decoder that generates item ID tokens.

Layers, each importing only those before it (and `kitbase`, `datamodules`, `indexers` below):
    networks/    the plain torch encoder-decoder, its token layout and FLOP counts
    decoding/    the prefix trie, constrained beam search, the exact scorer, history exclusion
    metrics.py, recommender.py, generative.py, sasrec.py, checkpoints.py, inference.py
                 the Lightning models (class paths used by configs and checkpoints), loading a
                 trained one, and recommending with it
    callbacks/   what a run writes and reports: predictions, results, metrics table, W&B, timing
    cli/         the `lightlm` command
"""

__version__ = "0.1.0"
