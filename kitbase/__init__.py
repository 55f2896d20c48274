"""The kit's bottom layer: typed errors and atomic file writes. It imports nothing of the kit, so
every package (datamodules -> indexers -> lightlm) may import it without an upward arrow."""
