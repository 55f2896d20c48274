"""Running one cell: train with validation each epoch, keep the best epoch, test that epoch.

Every cell is trained in this process with the Lightning Trainer on the same leave-one-out split
(indexes cached on disk, so each indexer is fitted once). The row it returns carries the test
metrics at the best validation epoch (val/ndcg@10), the popularity baseline of the same test loop,
and the time and parameters that make the figures comparable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from rich.progress import Progress, TaskID

from datamodules.datamodule import RecDataModule
from datamodules.samples import DEFAULT_HISTORY_LEN
from datamodules.synthetic import SyntheticConfig
from indexers.registry import make_indexer
from lightlm.experiments.presets import Cell, Preset
from lightlm.generative import GenerativeRecommender
from lightlm.metrics import METRIC_NAMES as METRICS
from lightlm.recommender import DEFAULT_MONITOR


@dataclass(frozen=True)
class RunSettings:
    """What a study run takes from its command line, beside the preset and the cells."""

    data: str  # a P5 data file, or "synthetic" for the embedded generator
    out: Path  # results.csv, results.md, ablation.png, run.json, kept checkpoints
    cache_dir: Path  # the index cache, shared by every cell
    accelerator: str = "auto"
    epochs: int | None = None  # overrides every model's epochs
    validate_only: bool = False  # never read the test split; keep the best checkpoint instead
    limit_batches: float | None = None  # Lightning's limit_*_batches, for debugging


class CellProgress(Callback):
    """Feeds the rich progress display: batches of the current cell and what it is doing."""

    def __init__(self, progress: Progress, task: TaskID, label: str) -> None:
        self.progress, self.task, self.label = progress, task, label

    def _show(self, what: str, total, completed) -> None:
        self.progress.update(
            self.task, description=f"{self.label} {what}", total=total, completed=completed
        )

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._show(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} train",
                   trainer.num_training_batches, 0)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.progress.update(self.task, completed=batch_idx + 1)

    def on_validation_epoch_start(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            total = sum(trainer.num_val_batches)
            self._show(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs} validate", total, 0)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dl_idx=0) -> None:
        if not trainer.sanity_checking:
            self.progress.update(self.task, completed=batch_idx + 1)

    def on_test_epoch_start(self, trainer, pl_module) -> None:
        self._show("test (best epoch)", sum(trainer.num_test_batches), 0)

    def on_test_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dl_idx=0) -> None:
        self.progress.update(self.task, completed=batch_idx + 1)


class ValidationHistory(Callback):
    """Validation Recall/NDCG@10 of every epoch, to report the best epoch's figures."""

    def __init__(self) -> None:
        self.epochs: list[dict[str, float]] = []

    def on_validation_end(self, trainer, pl_module) -> None:  # after the module has logged them
        if not trainer.sanity_checking:
            m = trainer.callback_metrics
            self.epochs.append({k: float(m[f"val/{k}"]) for k in ("ndcg@10", "recall@10")})


def datamodule(
    settings: RunSettings, preset: Preset, indexer: str, task: str, seed: int,
    history_len: int = DEFAULT_HISTORY_LEN, train_windows: bool = False,
) -> RecDataModule:
    synthetic = settings.data == "synthetic"
    return RecDataModule(
        path=None if synthetic else str(settings.data),
        synthetic=SyntheticConfig(**preset.synthetic) if synthetic else None,
        indexer=make_indexer(indexer, **preset.indexer_args.get(indexer, {})),
        task=task,
        history_len=history_len,
        train_windows=train_windows,
        batch_size=preset.batch_size,
        eval_batch_size=preset.eval_batch_size,
        cache_dir=str(settings.cache_dir),
        seed=seed,
        val_users=preset.val_users,  # a seeded random draw, the same users for every cell
    )


def build_cell(cell: Cell, settings: RunSettings, preset: Preset):
    """The cell's datamodule, untrained model and number of epochs."""
    if cell.model == "sasrec":
        from lightlm.sasrec import SASRec

        sasrec = dict(preset.sasrec)
        windows = sasrec.pop("train_windows", False)
        dm = datamodule(settings, preset, cell.indexer, "sequential", cell.seed, preset.sasrec_history,
                        windows)
        model = SASRec(**sasrec)
        epochs = preset.sasrec_epochs
    else:
        shape = dict(preset.shapes[cell.shape])
        data = {k: shape.pop(k) for k in ("task", "history_len", "train_windows") if k in shape}
        dm = datamodule(settings, preset, cell.indexer, data.get("task", "direct"), cell.seed,
                        data.get("history_len", DEFAULT_HISTORY_LEN), data.get("train_windows", False))
        epochs = shape.pop("epochs", preset.epochs)
        model = GenerativeRecommender(**{"lr": preset.lr, "num_beams": preset.num_beams, **shape})
    return dm, model, epochs if settings.epochs is None else settings.epochs


def saved_checkpoint(settings: RunSettings, cell: Cell) -> Path:
    """Where `--validate-only` keeps a cell's best-epoch checkpoint for a later `--test-saved`."""
    return settings.out / "checkpoints" / f"{'-'.join(cell.key)}.ckpt"


def _label(cell: Cell) -> str:
    return f"{cell.indexer}/{cell.shape}/seed {cell.seed}:"


def run_cell(cell: Cell, settings: RunSettings, preset: Preset, progress: Progress, task: TaskID) -> dict:
    """Train, pick the best validation epoch, test it; returns the row for results.csv.

    With `validate_only` the test split is not read; the best epoch's checkpoint is kept instead,
    so that the settings chosen on validation can be tested later without retraining. The row's
    `_popularity` holds the popularity baseline's test metrics (None without a test).
    """
    L.seed_everything(cell.seed, workers=True, verbose=False)
    dm, model, epochs = build_cell(cell, settings, preset)
    progress.update(task, description=f"{cell.indexer}/{cell.shape}/seed {cell.seed}: reading and indexing",
                    total=None, completed=0)
    cpu_start = time.process_time()  # all threads of the process: comparable under a shared CPU
    dm.setup("fit")
    with tempfile.TemporaryDirectory(prefix="ablation-ckpt-") as ckpt_dir:
        best = ModelCheckpoint(dirpath=ckpt_dir, filename="best", monitor=DEFAULT_MONITOR, mode="max",
                               save_top_k=1, enable_version_counter=False)
        val = ValidationHistory()
        trainer = L.Trainer(
            max_epochs=epochs, accelerator=settings.accelerator, devices=1, logger=False,
            callbacks=[best, val, CellProgress(progress, task, _label(cell))],
            enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
            limit_train_batches=settings.limit_batches,
            limit_val_batches=settings.limit_batches,
            limit_test_batches=settings.limit_batches, default_root_dir=ckpt_dir,
        )
        start = time.perf_counter()
        trainer.fit(model, datamodule=dm)
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        metrics = (
            {} if settings.validate_only
            else trainer.test(model, datamodule=dm, ckpt_path="best", verbose=False)[0]
        )
        test_seconds = time.perf_counter() - start
        best_epoch = torch.load(best.best_model_path, map_location="cpu", weights_only=False)["epoch"] + 1
        if settings.validate_only:
            keep = saved_checkpoint(settings, cell)
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
    cell: Cell, row: dict, settings: RunSettings, preset: Preset, progress: Progress, task: TaskID
) -> dict:
    """Test a `--validate-only` cell from its kept best-epoch checkpoint; returns the completed row."""
    path = saved_checkpoint(settings, cell)
    if not path.is_file():
        raise SystemExit(f"ablation: no kept checkpoint {path} for {'/'.join(cell.key)}; rerun that cell")
    dm, model, _ = build_cell(cell, settings, preset)
    dm.setup("test")
    trainer = L.Trainer(
        accelerator=settings.accelerator, devices=1, logger=False, enable_progress_bar=False,
        enable_model_summary=False, limit_test_batches=settings.limit_batches,
        callbacks=[CellProgress(progress, task, _label(cell))],
    )
    start = time.perf_counter()
    metrics = trainer.test(model, datamodule=dm, ckpt_path=str(path), verbose=False)[0]
    return {
        **row, **{m: round(float(metrics[f"test/{m}"]), 6) for m in METRICS},
        "test_seconds": round(time.perf_counter() - start, 1),
        "_popularity": {m: round(float(metrics[f"test/popularity/{m}"]), 6) for m in METRICS},
    }
