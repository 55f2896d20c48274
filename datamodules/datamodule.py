"""The LightningDataModule: read -> split -> index (train only, cached) -> tensors.

The data flows one way. The indexer is fitted on `split.train` and nothing else; the fitted index
is cached on disk under a key made of the data's content hash and the indexer's config, so a
sweep over model shapes indexes once.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import lightning as L
import numpy as np
import rich
import torch
from lightning.fabric.utilities.warnings import PossibleUserWarning
from lightning.pytorch.overrides.distributed import UnrepeatedDistributedSampler
from rich.errors import LiveError
from torch.utils.data import DataLoader

from datamodules.formats import InputFormat, format_hint, resolve_format
from datamodules.interactions import Interactions
from datamodules.item_index import ItemIndex, ItemIndexer
from datamodules.logs import PRESETS, read_log
from datamodules.p5 import read_p5
from datamodules.progress import listening, reporting_to
from datamodules.samples import (
    DEFAULT_HISTORY_LEN,
    SampleTensors,
    evaluation_samples,
    take_batch,
    training_samples,
    training_windows,
)
from datamodules.split import LeaveOneOut, leave_one_out
from datamodules.synthetic import SyntheticConfig, generate
from datamodules.training_order import ResumableSampler
from kitbase.errors import ConfigError, DataFormatError, IndexMismatchError
from kitbase.files import check_writable


@dataclass
class LogColumns:
    """How to read a raw interaction log (CSV, TSV, JSON lines, Parquet)."""

    # Column names of an Amazon review dump (`datamodules.logs.PRESETS`); explicit columns win.
    preset: str | None = None  # amazon-2018 or amazon-2023
    user_col: str = "user"  # user id column (a 0-based position such as "0" without a header)
    item_col: str = "item"  # item id column
    time_col: str | None = "timestamp"  # orders each user's items; ties keep file order
    rating_col: str | None = None  # optional rating column, used with min_rating
    min_rating: float | None = None  # drop interactions rated below this
    has_header: bool = True  # whether the first row names the columns
    separator: str | None = None  # field separator; default from the format
    k_core: int = 5  # keep users and items with at least this many interactions, iteratively

    def __post_init__(self) -> None:
        # A plain str checked here, not a Literal: jsonargparse would answer a typo with its
        # usage text and a nested union report instead of one line naming the option.
        if self.preset is not None and self.preset not in PRESETS:
            choices = sorted(PRESETS)
            raise ConfigError(f"--data.log.preset {self.preset!r} is unknown; choose one of {choices}")


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner with `message` while a long step runs, on an interactive terminal only, and
    only when no display of the caller listens (`lightlm index`'s status line, which then shows
    the steps itself). Steps reported inside (`datamodules.progress.report`) are shown after the
    message. A live display rich refuses to stack (rich 13: `LiveError`) means no spinner."""
    console = rich.get_console()
    spinner = console.status(f"{message}...") if console.is_terminal and not listening() else None
    try:
        if spinner is not None:
            spinner.start()
    except LiveError:
        spinner = None
    try:
        if spinner is None:
            yield
        else:
            with reporting_to(lambda step: spinner.update(f"{message}: {step}...")):
                yield
    finally:
        if spinner is not None:
            spinner.stop()


class RecDataModule(L.LightningDataModule):
    """Interaction data for generative recommendation.

    Args:
        path: interaction file; None uses the embedded synthetic dataset. Text files may be
            gzipped (`.gz`).
        format: `p5` (`user item item ...` lines), `csv`, `tsv`, `jsonl` (JSON lines), `parquet`,
            or `auto` (from the suffix, `datamodules.formats.FORMATS`; `.txt` means P5).
        log: columns and filters for raw logs (csv, tsv, jsonl, parquet).
        synthetic: generator settings when `path` is None.
        indexer: how items (and users) get their codes (`datamodules.item_index.ItemIndexer`); the
            CLI's default is `indexers.sequential.SequentialIndexer`.
        task: `direct` (user -> item, the paper's task) or `sequential` (user + recent history
            -> next item).
        history_len: recent items in the input for `task: sequential`.
        train_windows: train the sequential task on windows of each training sequence with every
            position a target (SASRec-style: one sample per `history_len` targets instead of one
            per target, several times fewer encoder passes per epoch). Needs a model that reads
            history left to right (`--model.causal_encoder true` for the generative model).
        batch_size: training batch size.
        eval_batch_size: users per validation/test/predict batch.
        num_workers: DataLoader workers (batches are tensor gathers; 0 is usually fastest).
        cache_dir: where fitted indexes are cached.
        allow_repeats: accept an item twice in a P5 user's line.
        seed: seed of the training order; epoch e's order depends only on (seed, e), so a run
            resumed mid-epoch sees the same batches (`datamodules.training_order`).
        val_users: validate on this many users drawn at random (seeded by `val_seed`, the same
            users for every model and epoch) instead of all; test always uses every user.
            Validation picks the best epoch, so a subset makes each epoch's check cheaper
            without the bias of the first users in file order.
        val_seed: seed of the `val_users` draw.
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        indexer: ItemIndexer,
        format: InputFormat = "auto",
        log: LogColumns | None = None,
        synthetic: SyntheticConfig | None = None,
        task: Literal["direct", "sequential"] = "direct",
        history_len: int = DEFAULT_HISTORY_LEN,
        train_windows: bool = False,
        batch_size: int = 64,
        eval_batch_size: int = 256,
        num_workers: int = 0,
        cache_dir: str = ".lightlm_cache",
        allow_repeats: bool = False,
        seed: int = 2022,
        val_users: int | None = None,
        val_seed: int = 0,
    ) -> None:
        super().__init__()
        if task not in ("direct", "sequential"):
            raise ConfigError(f"--data.task must be 'direct' or 'sequential', got {task!r}")
        for name, value in (("batch_size", batch_size), ("eval_batch_size", eval_batch_size)):
            if value < 1:
                raise ConfigError(f"--data.{name} must be at least 1, got {value}")
        if task == "sequential" and history_len < 1:
            raise ConfigError(
                f"--data.history_len must be at least 1 for the sequential task, got {history_len}"
            )
        if val_users is not None and val_users < 1:
            raise ConfigError(f"--data.val_users must be at least 1 (or null for all users), got {val_users}")
        if train_windows and task != "sequential":
            raise ConfigError(
                "--data.train_windows needs --data.task sequential (windows are history stretches)"
            )
        self.path, self.format = path, format
        self.log_columns = log or LogColumns()
        self.synthetic = synthetic or SyntheticConfig()
        self.indexer = indexer
        self.task = task
        self.history_len = history_len if task == "sequential" else 0
        self.train_windows = train_windows
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.num_workers = num_workers
        self.cache_dir = Path(cache_dir)
        self.allow_repeats = allow_repeats
        self.seed = seed
        self.val_users, self.val_seed = val_users, val_seed
        self.split: LeaveOneOut | None = None
        self.index: ItemIndex | None = None
        self.index_seconds = 0.0
        self.resume_from = (0, 0)  # (epoch, batches of it already trained), set by load_state_dict

    # ---- reading and indexing -------------------------------------------------------------
    def read(self) -> Interactions:
        if self.path is None:
            return generate(self.synthetic)
        path = Path(self.path)
        if not path.is_file():
            raise DataFormatError(f"{path}: no such data file")
        fmt = resolve_format(path, self.format)
        try:
            if fmt == "p5":
                return read_p5(path, allow_repeats=self.allow_repeats)
            return read_log(path, format=fmt, **asdict(self.log_columns))
        except DataFormatError as e:
            hint = format_hint(path, fmt)
            if not hint:
                raise
            raise DataFormatError(f"{e}{hint}") from None

    def index_cache_path(self, fingerprint: str) -> Path:
        key = json.dumps(self.indexer.config(), sort_keys=True, default=str)
        version = self.indexer.code_version()
        digest = hashlib.sha256(f"{fingerprint}:{key}:{version}".encode()).hexdigest()[:16]
        return self.cache_dir / f"{self.indexer.name}-{digest}.json"

    def build_index(self, split: LeaveOneOut) -> ItemIndex:
        """Fit the indexer on training interactions only, or load its cached result."""
        fingerprint = split.data.fingerprint()
        path = self.index_cache_path(fingerprint)
        start = time.perf_counter()
        if path.is_file():
            try:
                index = ItemIndex.load(path)
            except IndexMismatchError as e:
                raise IndexMismatchError(f"{e}; it is a cached index: delete it to rebuild") from None
        else:
            check_writable(self.cache_dir, "--data.cache_dir")  # before the fit, not after it
            what = f"fitting the {self.indexer.name} index on {len(split.train):,} training interactions"
            with status(what):
                index = self.indexer.fit(
                    split.train, data_fingerprint=fingerprint, item_ids=split.data.item_ids
                )
            index.save(path)
        self.index_seconds = time.perf_counter() - start
        return index

    def prepare_data(self) -> None:
        # Runs on one process before DDP setup: build the index cache once for all ranks.
        self.indexer.check_inputs()
        if self.split is None:
            self.build_index(leave_one_out(self.read()))

    def setup(self, stage: str | None = None) -> None:
        if self.split is not None:
            return
        self.indexer.check_inputs()
        with status(f"reading and splitting {self.path or 'the synthetic data'}"):
            self.split = leave_one_out(self.read())
        self.index = self.build_index(self.split)
        if self.index.n_items != self.split.n_items or self.index.n_users != self.split.n_users:
            raise ConfigError(
                f"index has {self.index.n_items} items/{self.index.n_users} users but the data has "
                f"{self.split.n_items}/{self.split.n_users}; delete {self.cache_dir} to rebuild"
            )

    # ---- datasets ------------------------------------------------------------------------
    def dataset(self, stage: str) -> SampleTensors:
        assert self.split is not None, "call setup() first"
        if stage == "fit":
            if self.train_windows:
                return training_windows(self.split.train, self.history_len)
            return training_samples(self.split.train, self.history_len)
        target = {"validate": self.split.valid_target, "test": self.split.test_target}.get(stage)
        if stage == "predict":
            # Recommend the next item after everything we know, as a deployed model would.
            s = self.split.data.sequences
            return evaluation_samples(s, target=s.items[s.offsets[1:] - 1], history_len=self.history_len)
        samples = evaluation_samples(self.split.history(stage), target, self.history_len)
        if stage == "validate" and self.val_users is not None and self.val_users < len(samples):
            rng = np.random.default_rng(self.val_seed)
            samples = samples.subset(np.sort(rng.choice(len(samples), self.val_users, replace=False)))
        return samples

    def _loader(self, stage: str, shuffle: bool) -> DataLoader:
        ds = self.dataset(stage)
        bs = self.batch_size if stage == "fit" else self.eval_batch_size
        world, rank = (self.trainer.world_size, self.trainer.global_rank) if self.trainer else (1, 0)
        sampler = None
        if shuffle:
            # The order is a function of (seed, epoch) and skips what a resumed run already
            # trained on, so an interrupted run resumes onto exactly the same batches.
            epoch, done = self.resume_from
            self.resume_from = (0, 0)
            sampler = ResumableSampler(ds, self.seed, world, rank, epoch=epoch, start=done * bs)
        elif world > 1:
            # Each user on exactly one rank: a padding DistributedSampler would count some twice.
            sampler = UnrepeatedDistributedSampler(ds, shuffle=False)
        return DataLoader(
            ds,
            batch_size=bs,
            sampler=sampler,
            collate_fn=take_batch,
            num_workers=self.num_workers,
            # Its own generator, so that iterating a loader never draws from the global RNG
            # (which dropout uses, and which a resumed run restores from the checkpoint).
            generator=torch.Generator().manual_seed(self.seed),
        )

    def state_dict(self) -> dict:
        """Where training stands when a checkpoint is saved: the epoch and how many of its
        batches were trained, or the next epoch and 0 once an epoch's batches are all done."""
        if self.trainer is None:
            return {}
        loop = self.trainer.fit_loop
        epoch, batches = loop.epoch_progress.current.completed, loop.epoch_loop.batch_progress
        done = batches.current.processed
        if batches.is_last_batch or done >= self.trainer.num_training_batches:
            epoch, done = epoch + 1, 0
        return {"train_epoch": epoch, "train_batches": done}

    def load_state_dict(self, state: dict) -> None:
        """Make the next training loader continue where the checkpointed run stopped."""
        if "train_epoch" in state:
            self.resume_from = (int(state["train_epoch"]), int(state["train_batches"]))
            # Lightning warns that a mid-epoch resume repeats data unless the DataLoader itself
            # is stateful; here the sampler resumes instead, so the warning does not apply.
            warnings.filterwarnings(
                "ignore", "You're resuming from a checkpoint that ended before", PossibleUserWarning
            )

    def train_dataloader(self) -> DataLoader:
        return self._loader("fit", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("validate", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)

    def predict_dataloader(self) -> DataLoader:
        return self._loader("predict", shuffle=False)
