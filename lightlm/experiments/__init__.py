"""Experiment machinery behind `benchmarks/ablation.py`, one concept per module.

`presets` (what a study runs: presets and their cells), `store` (the resumable results CSV),
`report` (mean ± std over seeds, Markdown, plot), `cells` (training and testing one cell) and
`runner` (the loop over a study's cells, which uses all of them); imports flow in that order.
`tables` stands apart: it regenerates the README's result tables from docs/results/.
"""
