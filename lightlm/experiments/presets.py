"""Study presets and the grid of cells they span.

A preset fixes everything a study compares (indexers, model shapes, seeds, training budget);
a cell is one (model, indexer, shape, seed) of that grid, the unit that is trained, tested,
stored and resumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexers.registry import INDEXERS


@dataclass
class Preset:
    """One ablation setup.

    Shapes are GenerativeRecommender arguments (preset + overrides); a shape may also set the
    data's `task`, `history_len` and `train_windows` (default: the direct task) and its own
    `epochs`, so one preset can compare model variants one change at a time.
    """

    description: str
    indexers: tuple[str, ...]
    shapes: dict[str, dict]
    seeds: tuple[int, ...]
    epochs: int
    batch_size: int
    lr: float
    num_beams: int = 20
    eval_batch_size: int = 1024
    val_users: int | None = None  # pick the best epoch on this many random validation users (None: all)
    indexer_args: dict[str, dict] = field(default_factory=dict)
    sasrec: dict | None = None  # SASRec arguments, or None to leave it out
    sasrec_epochs: int = 0
    sasrec_history: int = 50
    synthetic: dict = field(default_factory=dict)  # SyntheticConfig for --data synthetic


# The study's starting point (the paper's input layout on the sequential task) and its window model.
_SEQ = dict(preset="small", task="sequential", history_len=20)
_WINDOWS = dict(_SEQ, history_input="items+ids", causal_encoder=True, train_windows=True)

PRESETS: dict[str, Preset] = {
    # Minutes on the tiny synthetic data; what the tests run.
    "smoke": Preset(
        description="tiny models, 1 epoch: checks the pipeline, not the method",
        indexers=("random", "sequential"),
        shapes={
            "deep-narrow": dict(preset="tiny", n_enc_layers=2, n_dec_layers=2, d_ff=8),
            "wide": dict(preset="tiny", n_enc_layers=1, n_dec_layers=1, d_ff=256),
        },
        seeds=(0, 1),
        epochs=1,
        batch_size=128,
        lr=3e-3,
        eval_batch_size=512,
        synthetic=dict(n_users=150, n_items=60, seed=0),
    ),
    # The Beauty ablation on 2 CPU cores (run time in docs/workflow.md, with --threads 1): the
    # paper's question (is a 16-wide feed-forward layer enough?) at CPU scale, same depth for both
    # shapes; `wide` has T5's d_ff = 4 x d_model. The best epoch is picked on 4,096 random
    # validation users; test uses all.
    "cpu-small": Preset(
        description="d_model 128, 2+2 layers, d_ff 16 (deep-narrow) vs 512 (wide); 2 epochs, "
        "batch 256, lr 3e-3; best epoch picked on 4,096 random validation users; "
        "SASRec 3 epochs, last 20 items",
        indexers=("random", "sequential", "sci", "gci"),
        shapes={
            "deep-narrow": dict(preset="small", d_ff=16),
            "wide": dict(preset="small", d_ff=512),
        },
        val_users=4096,
        seeds=(0, 1, 2),
        epochs=2,  # the direct task peaks at epoch 2 at this size (docs/quality.md)
        batch_size=256,
        lr=3e-3,
        sasrec=dict(d_model=64, n_layers=2, n_heads=1, d_ff=256, dropout=0.3, max_len=20, lr=3e-3),
        sasrec_epochs=3,
        sasrec_history=20,
        synthetic=dict(n_users=2000, n_items=400, seed=0),
    ),
    # The generative model's one-change-at-a-time study on 2 CPU cores (docs/quality.md). Each
    # variant changes one setting of the one before it, starting from the paper's layout (the
    # sequential task over the last 20 items, every code token a position; co-SCI codes; the
    # cpu-small deep-narrow shape). Choose with --validate-only, then --test-saved the choice.
    "cpu-quality": Preset(
        description="sequential task (last 20 items), co-SCI, d_model 128, 2+2 layers, d_ff 16, "
        "2 epochs, batch 256, lr 3e-3; each variant one change from the one before; best epoch "
        "on all validation users",
        indexers=("sci",),
        shapes={
            "codes": _SEQ,
            "items": dict(_SEQ, history_input="items"),
            "items+ids": dict(_SEQ, history_input="items+ids"),
            "items+ids,no-user": dict(_SEQ, history_input="items+ids", user_input=False),
            "items+ids,smoothing": dict(_SEQ, history_input="items+ids", label_smoothing=0.1),
            "items+ids,causal": dict(_SEQ, history_input="items+ids", causal_encoder=True),
            # Windows train each target once per epoch like prefixes, with several times fewer
            # encoder passes; the time saved buys epochs.
            "items+ids,causal,windows": _WINDOWS,
            "items+ids,causal,windows,8-epochs": dict(_WINDOWS, epochs=8),
            # One change each from the 8-epoch window model.
            "items+ids,causal,windows,8-epochs,no-user": dict(_WINDOWS, epochs=8, user_input=False),
            "items+ids,causal,windows,8-epochs,smoothing": dict(_WINDOWS, epochs=8, label_smoothing=0.1),
            "items+ids,causal,windows,16-epochs": dict(_WINDOWS, epochs=16),
        },
        seeds=(0, 1, 2),
        epochs=2,
        batch_size=256,
        lr=3e-3,
        # The baseline trained the way the best generative variant is: windows, 16 epochs.
        sasrec=dict(d_model=64, n_layers=2, n_heads=1, d_ff=256, dropout=0.3, max_len=20, lr=3e-3,
                    train_windows=True),
        sasrec_epochs=16,
        sasrec_history=20,
        synthetic=dict(n_users=2000, n_items=400, seed=0),
    ),
    # The paper's configuration (docs/method.md section 5): size it for a GPU.
    "paper": Preset(
        description="lightlm (6+6, 512, d_ff 16) vs t5-small (d_ff 2048); 10 epochs, batch 64, lr 1e-3",
        indexers=("random", "sequential", "sci", "gci"),
        shapes={"deep-narrow": dict(preset="lightlm"), "wide": dict(preset="t5-small")},
        seeds=(2022, 2023, 2024),
        epochs=10,
        batch_size=64,
        lr=1e-3,
        indexer_args={"sci": dict(n_clusters=50, max_cluster_size=100)},
        sasrec=dict(d_model=64, n_layers=2, n_heads=1, d_ff=256, dropout=0.3, max_len=50, lr=1e-3),
        sasrec_epochs=50,
        synthetic=dict(n_users=2000, n_items=400, seed=0),
    ),
}


@dataclass(frozen=True)
class Cell:
    """One trained and tested unit of a study; `key` is how results.csv names it."""

    model: str  # "generative" or "sasrec"
    indexer: str
    shape: str
    seed: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.model, self.indexer, self.shape, str(self.seed))


def cells_for(
    preset: Preset, name: str, indexers: list[str] | None = None, shapes: list[str] | None = None,
    seeds: list[int] | None = None, models: tuple[str, ...] = ("generative", "sasrec"),
) -> list[Cell]:
    """The cells of preset `name`, narrowed by the given indexers, shapes and seeds (None: all).

    Ordered seed by seed, so that after the first seed's cells the table is complete, with one
    seed each. SASRec joins only where the preset configures it.
    """
    indexers = indexers or list(preset.indexers)
    shapes = shapes or list(preset.shapes)
    seeds = seeds or list(preset.seeds)
    unknown = [i for i in indexers if i not in INDEXERS]
    if unknown:
        raise SystemExit(f"ablation: unknown indexer(s) {unknown}; available: {sorted(INDEXERS)}")
    bad = [s for s in shapes if s not in preset.shapes]
    if bad:
        raise SystemExit(
            f"ablation: unknown shape(s) {bad} for preset {name}; available: {list(preset.shapes)}"
        )
    sasrec = preset.sasrec is not None and "sasrec" in models
    cells = []
    for seed in seeds:
        if "generative" in models:
            cells += [Cell("generative", i, s, seed) for i in indexers for s in shapes]
        if sasrec:
            cells.append(Cell("sasrec", "sequential", "sasrec", seed))
    return cells
