"""Turning a trained network into rankings: prefix trie, constrained beam search, exact scoring,
exclusion of history items."""
