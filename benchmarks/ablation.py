"""Ablation: indexers x model shapes x seeds on one dataset, plus popularity (and SASRec), one split.

Every cell trains the generative model in this process with the Lightning Trainer (validation each
epoch, the best epoch by val/ndcg@10 kept), then tests that best epoch. The popularity baseline
comes from the same test loop (`test/popularity/*`), and SASRec, where the preset configures it, runs
on the same split with the sequential task. All cells see the same leave-one-out split; indexes
are cached on disk, so every indexer is fitted once.

Outputs in --out: results.csv (one row per finished cell, rewritten atomically after each cell),
results.md (mean +- std over seeds, the best value of each column in bold) and ablation.png.
An interrupted run resumes where it stopped: finished cells are skipped.

    python benchmarks/ablation.py --preset cpu-small                   # Beauty, 2 CPU cores
    python benchmarks/ablation.py --preset paper --data ../shared/data/toys/data.txt   # a GPU
    python benchmarks/ablation.py --preset smoke --data synthetic      # seconds, for tests
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lightning as L  # noqa: E402
import rich  # noqa: E402
import torch  # noqa: E402
from lightning.pytorch.callbacks import Callback, ModelCheckpoint  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402

import lightlm  # noqa: E402, F401  (first: sets OMP_WAIT_POLICY before torch is loaded)
from datamodules.datamodule import RecDataModule  # noqa: E402
from datamodules.synthetic import SyntheticConfig  # noqa: E402
from indexers.registry import INDEXERS, make_indexer  # noqa: E402
from lightlm.generative import GenerativeRecommender  # noqa: E402
from lightlm.metrics import METRIC_NAMES as METRICS  # noqa: E402

COLUMNS = [
    "model", "indexer", "shape", "seed", *METRICS, "best_epoch", "val_ndcg@10", "val_recall@10", "params",
    "index_seconds", "train_seconds", "test_seconds", "cpu_seconds",
]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beauty" / "data.txt"


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
    # The Beauty ablation on 2 CPU cores (about 70 min on a shared machine with --threads 1,
    # docs/workflow.md): the paper's question (is a 16-wide
    # feed-forward layer enough?) at CPU scale, same depth for both shapes; `wide` has T5's
    # d_ff = 4 x d_model. The best epoch is picked on 4,096 random validation users; test uses all.
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
            # Windows train each target once per epoch like prefixes, with ~7x fewer encoder passes
            # on Beauty; the time saved buys epochs.
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
    model: str  # "generative" or "sasrec"
    indexer: str
    shape: str
    seed: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.model, self.indexer, self.shape, str(self.seed))


# ---- one cell -------------------------------------------------------------------------------
class CellProgress(Callback):
    """Feeds the rich progress display: batches of the current cell and what it is doing."""

    def __init__(self, progress: Progress, task, label: str) -> None:
        self.progress, self.task, self.label = progress, task, label

    def _show(self, trainer: L.Trainer, what: str, total, completed) -> None:
        self.progress.update(
            self.task, description=f"{self.label} {what}", total=total, completed=completed
        )

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._show(trainer, f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} train",
                   trainer.num_training_batches, 0)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.progress.update(self.task, completed=batch_idx + 1)

    def on_validation_epoch_start(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            total = sum(trainer.num_val_batches)
            self._show(trainer, f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} validate", total, 0)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dl_idx=0) -> None:
        if not trainer.sanity_checking:
            self.progress.update(self.task, completed=batch_idx + 1)

    def on_test_epoch_start(self, trainer, pl_module) -> None:
        self._show(trainer, "test (best epoch)", sum(trainer.num_test_batches), 0)

    def on_test_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dl_idx=0) -> None:
        self.progress.update(self.task, completed=batch_idx + 1)


def datamodule(
    args: argparse.Namespace, preset: Preset, indexer: str, task: str, seed: int, history_len: int = 20,
    train_windows: bool = False,
) -> RecDataModule:
    synthetic = args.data == "synthetic"
    return RecDataModule(
        path=None if synthetic else str(args.data),
        synthetic=SyntheticConfig(**preset.synthetic) if synthetic else None,
        indexer=make_indexer(indexer, **preset.indexer_args.get(indexer, {})),
        task=task,
        history_len=history_len,
        train_windows=train_windows,
        batch_size=preset.batch_size,
        eval_batch_size=preset.eval_batch_size,
        cache_dir=str(args.cache_dir),
        seed=seed,
        val_users=preset.val_users,  # a seeded random draw, the same users for every cell
    )


def build_cell(cell: Cell, args: argparse.Namespace, preset: Preset):
    """The cell's datamodule, untrained model and number of epochs."""
    if cell.model == "sasrec":
        from lightlm.sasrec import SASRec

        sasrec = dict(preset.sasrec)
        windows = sasrec.pop("train_windows", False)
        dm = datamodule(args, preset, cell.indexer, "sequential", cell.seed, preset.sasrec_history, windows)
        model = SASRec(**sasrec)
        epochs = preset.sasrec_epochs
    else:
        shape = dict(preset.shapes[cell.shape])
        data = {k: shape.pop(k) for k in ("task", "history_len", "train_windows") if k in shape}
        dm = datamodule(args, preset, cell.indexer, data.get("task", "direct"), cell.seed,
                        data.get("history_len", 20), data.get("train_windows", False))
        epochs = shape.pop("epochs", preset.epochs)
        model = GenerativeRecommender(**{"lr": preset.lr, "num_beams": preset.num_beams, **shape})
    return dm, model, epochs if args.epochs is None else args.epochs


def saved_checkpoint(args: argparse.Namespace, cell: Cell) -> Path:
    """Where `--validate-only` keeps a cell's best-epoch checkpoint for a later `--test-saved`."""
    return args.out / "checkpoints" / f"{'-'.join(cell.key)}.ckpt"


def run_cell(cell: Cell, args: argparse.Namespace, preset: Preset, progress: Progress, task) -> dict:
    """Train, pick the best validation epoch, test it; returns the row for results.csv.

    With `--validate-only` the test split is not read; the best epoch's checkpoint is kept instead,
    so that the settings chosen on validation can be tested later without retraining.
    """
    L.seed_everything(cell.seed, workers=True, verbose=False)
    dm, model, epochs = build_cell(cell, args, preset)
    progress.update(task, description=f"{cell.indexer}/{cell.shape}/seed {cell.seed}: reading and indexing",
                    total=None, completed=0)
    cpu_start = time.process_time()  # all threads of the process: comparable under a shared CPU
    dm.setup("fit")
    with tempfile.TemporaryDirectory(prefix="ablation-ckpt-") as ckpt_dir:
        best = ModelCheckpoint(dirpath=ckpt_dir, filename="best", monitor="val/ndcg@10", mode="max",
                               save_top_k=1, enable_version_counter=False)
        val = ValidationHistory()
        trainer = L.Trainer(
            max_epochs=epochs, accelerator=args.accelerator, devices=1, logger=False,
            callbacks=[
                best, val, CellProgress(progress, task, f"{cell.indexer}/{cell.shape}/seed {cell.seed}:")
            ],
            enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
            limit_train_batches=args.limit_batches,
            limit_val_batches=args.limit_batches,
            limit_test_batches=args.limit_batches, default_root_dir=ckpt_dir,
        )
        start = time.perf_counter()
        trainer.fit(model, datamodule=dm)
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        metrics = (
            {} if args.validate_only
            else trainer.test(model, datamodule=dm, ckpt_path="best", verbose=False)[0]
        )
        test_seconds = time.perf_counter() - start
        best_epoch = torch.load(best.best_model_path, map_location="cpu", weights_only=False)["epoch"] + 1
        if args.validate_only:
            keep = saved_checkpoint(args, cell)
            keep.parent.mkdir(parents=True, exist_ok=True)
            tmp = keep.with_name(f".{keep.name}.tmp")
            shutil.copyfile(best.best_model_path, tmp)
            os.replace(tmp, keep)
    at_best = val.epochs[best_epoch - 1]
    return {
        "model": cell.model, "indexer": cell.indexer, "shape": cell.shape, "seed": cell.seed,
        **{m: round(float(metrics[f"test/{m}"]), 6) if metrics else "" for m in METRICS},
        "best_epoch": best_epoch,
        "val_ndcg@10": round(at_best["ndcg@10"], 6),
        "val_recall@10": round(at_best["recall@10"], 6),
        "params": sum(p.numel() for p in model.parameters()),
        "index_seconds": round(dm.index_seconds, 2),
        "train_seconds": round(train_seconds, 1),
        "test_seconds": round(test_seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu_start, 1),
        "_popularity": (
            {m: round(float(metrics[f"test/popularity/{m}"]), 6) for m in METRICS} if metrics else None
        ),
    }


def test_saved(
    cell: Cell, row: dict, args: argparse.Namespace, preset: Preset, progress: Progress, task
) -> dict:
    """Test a `--validate-only` cell from its kept best-epoch checkpoint; returns the completed row."""
    path = saved_checkpoint(args, cell)
    if not path.is_file():
        raise SystemExit(f"ablation: no kept checkpoint {path} for {'/'.join(cell.key)}; rerun that cell")
    dm, model, _ = build_cell(cell, args, preset)
    dm.setup("test")
    trainer = L.Trainer(
        accelerator=args.accelerator, devices=1, logger=False, enable_progress_bar=False,
        enable_model_summary=False, limit_test_batches=args.limit_batches,
        callbacks=[CellProgress(progress, task, f"{cell.indexer}/{cell.shape}/seed {cell.seed}:")],
    )
    start = time.perf_counter()
    metrics = trainer.test(model, datamodule=dm, ckpt_path=str(path), verbose=False)[0]
    return {
        **row, **{m: round(float(metrics[f"test/{m}"]), 6) for m in METRICS},
        "test_seconds": round(time.perf_counter() - start, 1),
        "_popularity": {m: round(float(metrics[f"test/popularity/{m}"]), 6) for m in METRICS},
    }


class ValidationHistory(Callback):
    """Validation Recall/NDCG@10 of every epoch, to report the best epoch's figures."""

    def __init__(self) -> None:
        self.epochs: list[dict[str, float]] = []

    def on_validation_end(self, trainer, pl_module) -> None:  # after the module has logged them
        if not trainer.sanity_checking:
            m = trainer.callback_metrics
            self.epochs.append({k: float(m[f"val/{k}"]) for k in ("ndcg@10", "recall@10")})


# ---- results files ------------------------------------------------------------------------
def read_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def row_key(r: dict) -> tuple[str, str, str, str]:
    """A results row's cell, as `Cell.key` (seeds are strings in the CSV)."""
    return (r["model"], r["indexer"], r["shape"], str(r["seed"]))


def write_rows(path: Path, rows: list[dict]) -> None:
    """Whole file to a temporary name, then rename: an interruption never leaves half a CSV."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def popularity_row(popularity: dict) -> dict:
    return {"model": "popularity", "indexer": "-", "shape": "-", "seed": "-", **popularity}


def summarize(rows: list[dict]) -> list[dict]:
    """Mean and std over seeds per (model, indexer, shape), in first-appearance order."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["model"], r["indexer"], r["shape"]), []).append(r)
    out = []
    for (model, indexer, shape), rs in groups.items():
        s = {"model": model, "indexer": indexer, "shape": shape, "n": len(rs)}
        for m in [*METRICS, "val_ndcg@10", "train_seconds", "params"]:
            values = [float(r[m]) for r in rs if r.get(m) not in (None, "")]
            s[m] = statistics.fmean(values) if values else None
            s[f"{m}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        out.append(s)
    return out


def markdown_table(summary: list[dict], title: str) -> str:
    shown = ["recall@10", "ndcg@10", "recall@20", "ndcg@20", "mrr@20", "coverage@10", "novelty@10",
             "val_ndcg@10"]
    best = {m: max((s[m] for s in summary if s[m] is not None), default=None) for m in shown}
    lines = [
        title, "",
        "| model | indexer | shape | seeds | " + " | ".join(shown) + " | params | train min |",
        "|---|---|---|---|" + "---|" * len(shown) + "---|---|",
    ]
    for s in summary:
        cells = []
        for m in shown:
            if s[m] is None:
                cells.append("-")
                continue
            text = f"{s[m]:.4f}" + (f" ± {s[f'{m}_std']:.4f}" if s["n"] > 1 else "")
            cells.append(f"**{text}**" if best[m] is not None and s[m] == best[m] else text)
        params = f"{s['params'] / 1e6:.2f}M" if s["params"] else "-"
        minutes = f"{s['train_seconds'] / 60:.1f}" if s["train_seconds"] else "-"
        seeds = s["n"] if s["model"] != "popularity" else "-"
        indexer = s["indexer"] if s["model"] == "generative" else "-"  # SASRec reads item ids
        lines.append(f"| {s['model']} | {indexer} | {s['shape']} | {seeds} | "
                     + " | ".join(cells) + f" | {params} | {minutes} |")
    return "\n".join(lines) + "\n"


def plot(summary: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gen = [s for s in summary if s["model"] == "generative" and s["ndcg@10"] is not None]  # tested ones
    indexers = list(dict.fromkeys(s["indexer"] for s in gen))
    shapes = list(dict.fromkeys(s["shape"] for s in gen))
    lookup = {(s["indexer"], s["shape"]): s for s in gen}
    baselines = [s for s in summary if s["model"] != "generative" and s["ndcg@10"] is not None]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    width = 0.8 / max(1, len(shapes))
    for ax, metric in zip(axes, ("recall@10", "ndcg@10"), strict=True):
        for j, shape in enumerate(shapes):
            xs, ys, es = [], [], []
            for i, ix in enumerate(indexers):
                if (ix, shape) in lookup:
                    xs.append(i + (j - (len(shapes) - 1) / 2) * width)
                    ys.append(lookup[ix, shape][metric])
                    es.append(lookup[ix, shape][f"{metric}_std"])
            ax.bar(xs, ys, width, yerr=es, capsize=3, label=shape)
        for k, b in enumerate(baselines):
            ax.axhline(b[metric], color=f"C{len(shapes) + k}", linestyle="--", linewidth=1.2,
                       label=b["model"])
        ax.set_xticks(range(len(indexers)), indexers)
        ax.set_ylabel(f"test {metric}")
        ax.set_xlabel("indexer")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)


def write_reports(out: Path, rows: list[dict], meta: dict) -> list[dict]:
    summary = summarize(rows)
    title = (f"## Ablation: {meta['dataset']}, preset `{meta['preset']}` "
             f"(full ranking, leave-one-out; mean ± std over seeds; test and val_ndcg@10 at the "
             f"best validation epoch)")
    md = markdown_table(summary, title)
    md += (f"\n{meta['description']}. Test at the best validation epoch (val/ndcg@10). "
           f"Hardware: {meta['hardware']}.\n")
    tmp = out / ".results.md.tmp"
    tmp.write_text(md)
    os.replace(tmp, out / "results.md")
    if any(s["model"] == "generative" and s["ndcg@10"] is not None for s in summary):
        title = f"{meta['dataset']}, preset {meta['preset']}: mean ± std over seeds"
        plot(summary, out / "ablation.png", title)
    return summary


# ---- the driver -----------------------------------------------------------------------------
def hardware(accelerator: str) -> str:
    if accelerator != "cpu" and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} CPU cores ({cpu}), torch threads {torch.get_num_threads()}"


def cells_for(preset: Preset, args: argparse.Namespace) -> list[Cell]:
    indexers = args.indexers or list(preset.indexers)
    shapes = args.shapes or list(preset.shapes)
    seeds = args.seeds or list(preset.seeds)
    unknown = [i for i in indexers if i not in INDEXERS]
    if unknown:
        raise SystemExit(f"ablation: unknown indexer(s) {unknown}; available: {sorted(INDEXERS)}")
    bad = [s for s in shapes if s not in preset.shapes]
    if bad:
        raise SystemExit(
            f"ablation: unknown shape(s) {bad} for preset {args.preset}; available: {list(preset.shapes)}"
        )
    sasrec = preset.sasrec is not None and "sasrec" in args.models
    # Seed by seed: after the first seed's cells the table is complete, with one seed each.
    cells = []
    for seed in seeds:
        if "generative" in args.models:
            cells += [Cell("generative", i, s, seed) for i in indexers for s in shapes]
        if sasrec:
            cells.append(Cell("sasrec", "sequential", "sasrec", seed))
    return cells


SASREC_SETTINGS = ("sasrec", "sasrec_epochs", "sasrec_history")


def same_settings(before: dict, now: dict, rows: list[dict]) -> bool:
    """Whether the finished cells in `rows`, made under `before`, still hold under `now`.

    Everything must match except that a preset may have gained shapes (a variant added to a
    study), a shape that was already there must be unchanged, and SASRec's settings matter only
    once a SASRec cell has finished.
    """
    now = json.loads(json.dumps(now, default=str))  # tuples -> lists, as in the stored JSON
    keys = ("data", "preset", "epochs_override")
    if (any(before.get(k) != now[k] for k in keys)
            or bool(before.get("validate_only")) != now["validate_only"]):
        return False
    old_cfg, new_cfg = dict(before.get("config", {})), dict(now["config"])
    if not any(r["model"] == "sasrec" for r in rows):
        for k in SASREC_SETTINGS:
            old_cfg.pop(k, None), new_cfg.pop(k, None)
    old_shapes, new_shapes = old_cfg.pop("shapes", {}), new_cfg.pop("shapes", {})
    return old_cfg == new_cfg and all(new_shapes.get(k) == v for k, v in old_shapes.items())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    head, *rest = __doc__.split("\n\n")
    p = argparse.ArgumentParser(
        description=head, epilog="\n\n".join(rest), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", default=str(DEFAULT_DATA),
                   help="P5 data file, or `synthetic` for the embedded generator (default: Beauty)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="cpu-small",
                   help="; ".join(f"{k}: {v.description}" for k, v in PRESETS.items()))
    p.add_argument("--indexers", nargs="+", help="indexer names (default: the preset's)")
    p.add_argument("--shapes", nargs="+", help="model shape names (default: the preset's)")
    p.add_argument("--seeds", nargs="+", type=int, help="training seeds (default: the preset's)")
    p.add_argument("--epochs", type=int, help="override the preset's epochs (all models)")
    p.add_argument("--models", nargs="+", choices=["generative", "sasrec"], default=["generative", "sasrec"],
                   help="which models to run (SASRec only where the preset configures it)")
    p.add_argument(
        "--out", type=Path, help="output folder (default: benchmarks/results/ablation-DATA-PRESET)"
    )
    p.add_argument("--cache-dir", type=Path, default=ROOT / ".lightlm_cache", help="index cache")
    p.add_argument("--fresh", action="store_true", help="discard earlier results in --out, do not resume")
    p.add_argument("--max-cells", type=int, help="stop after running this many cells (resume later)")
    p.add_argument("--accelerator", default="auto", help="Lightning accelerator (cpu, gpu, auto)")
    p.add_argument("--threads", type=int,
                   help="torch CPU threads (default: torch's choice); 1 is fastest on a CPU shared with "
                   "other jobs, where every multi-threaded op waits for its second thread's turn")
    p.add_argument("--validate-only", action="store_true",
                   help="train and pick the best epoch, but never read the test split: for choosing settings")
    p.add_argument("--test-saved", action="store_true",
                   help="test the --validate-only cells chosen by --shapes/--indexers/--seeds "
                   "from their kept best-epoch checkpoints (the test split read once, at the end)")
    p.add_argument("--limit-batches", type=float, default=None, help=argparse.SUPPRESS)  # debugging
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.validate_only and args.test_saved:
        raise SystemExit("ablation: --validate-only trains without testing, --test-saved tests without "
                         "training; use one, then the other")
    preset = PRESETS[args.preset]
    if args.threads:
        torch.set_num_threads(args.threads)
    dataset = "synthetic" if args.data == "synthetic" else Path(args.data).parent.name or Path(args.data).stem
    if args.data != "synthetic" and not Path(args.data).is_file():
        raise SystemExit(f"ablation: no data file at {args.data}")
    out = args.out = args.out or ROOT / "benchmarks" / "results" / f"ablation-{dataset}-{args.preset}"
    out.mkdir(parents=True, exist_ok=True)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
    logging.getLogger("lightning.fabric").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    warnings.filterwarnings("ignore", ".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", ".*callbacks used to create the checkpoint.*")  # --test-saved

    meta = {
        "dataset": dataset, "data": str(args.data), "preset": args.preset,
        "description": preset.description, "config": asdict(preset), "epochs_override": args.epochs,
        "hardware": hardware(args.accelerator), "validate_only": args.validate_only or args.test_saved,
    }
    results, meta_path = out / "results.csv", out / "run.json"
    if args.fresh:
        results.unlink(missing_ok=True)
    rows = read_rows(results)
    if results.is_file() and meta_path.is_file():
        before = json.loads(meta_path.read_text())
        if not same_settings(before, meta, rows):
            raise SystemExit(f"ablation: {results} was made with other settings; use --fresh or other --out")
    meta_path.write_text(json.dumps(meta, indent=2, default=str))

    cells = cells_for(preset, args)
    if args.test_saved:
        # Test only what validation chose: cells already trained with --validate-only, not yet tested.
        untested = {row_key(r) for r in rows if r["ndcg@10"] == ""}
        todo = [c for c in cells if c.key in untested]
    else:
        done = {row_key(r) for r in rows}
        todo = [c for c in cells if c.key not in done]
    # The global console: the datamodule's own spinner then sees this live display and stays off.
    console = rich.get_console()
    skipped = len(cells) - len(todo)
    console.print(f"[bold]ablation[/] {dataset}, preset {args.preset}: {len(cells)} cells, "
                  f"{skipped} already in {results}, {len(todo)} to run")
    ran = 0
    started = time.perf_counter()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        overall = progress.add_task("cells", total=len(cells), completed=skipped)
        current = progress.add_task("", total=None)
        try:
            for cell in todo:
                if args.max_cells is not None and ran >= args.max_cells:
                    break
                if not console.is_terminal:  # a log file gets a line per cell instead of the display
                    console.print(f"[{skipped + ran + 1}/{len(cells)}] {cell.model} {cell.indexer}/"
                                  f"{cell.shape}/seed {cell.seed} ...")
                if args.test_saved:
                    row = test_saved(cell, next(r for r in rows if row_key(r) == cell.key), args, preset,
                                     progress, current)
                else:
                    row = run_cell(cell, args, preset, progress, current)
                popularity = row.pop("_popularity")
                if popularity and not any(r["model"] == "popularity" for r in rows):
                    rows.insert(0, popularity_row(popularity))
                slot = [i for i, r in enumerate(rows) if row_key(r) == cell.key]
                if slot:
                    rows[slot[0]] = row  # a tested --validate-only row keeps its place
                else:
                    rows.append(row)
                write_rows(results, rows)
                write_reports(out, rows, meta)
                ran += 1
                progress.update(overall, advance=1)
                prefix = "val_" if args.validate_only else ""
                progress.console.print(
                    f"  {cell.indexer}/{cell.shape}/seed {cell.seed}: {prefix or 'test '}ndcg@10 "
                    f"{row[f'{prefix}ndcg@10']:.4f} recall@10 {row[f'{prefix}recall@10']:.4f} "
                    f"(best epoch {row['best_epoch']}, "
                    f"{float(row['train_seconds']) + row['test_seconds']:.0f} s)"
                )
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted[/]: the {ran} cell(s) finished in this run are in {results}; "
                          "rerun the same command to resume")
            return 130
    summary = write_reports(out, rows, meta) if rows else []
    left = len(todo) - ran
    elapsed = time.perf_counter() - started
    console.print(f"ran {ran} cell(s) in {elapsed / 60:.1f} min; {left} left"
                  + ("; rerun to continue" if left else ""))
    if summary:
        print_summary(console, summary)
        console.print(f"wrote {results}, {out / 'results.md'}" + (
            f", {out / 'ablation.png'}" if (out / "ablation.png").is_file() else ""))
    return 0


def print_summary(console: Console, summary: list[dict]) -> None:
    table = Table(title="ablation (mean ± std over seeds)", title_justify="left")
    metrics = ("recall@10", "ndcg@10", "val_ndcg@10")
    for col in ("model", "indexer", "shape", "seeds", *metrics):
        table.add_column(col, justify="right" if "@" in col or col == "seeds" else "left")
    key = "ndcg@10" if any(s["ndcg@10"] is not None for s in summary) else "val_ndcg@10"
    best = max(s[key] for s in summary if s[key] is not None)
    for s in summary:
        style = "bold green" if s[key] == best else None
        seeds = str(s["n"]) if s["model"] != "popularity" else "-"
        cells = ["-" if s[m] is None else f"{s[m]:.4f} ± {s[f'{m}_std']:.4f}" for m in metrics]
        table.add_row(s["model"], s["indexer"], s["shape"], seeds, *cells, style=style)
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
