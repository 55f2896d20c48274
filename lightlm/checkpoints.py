"""Checkpoint files: checked before Lightning loads them, so a wrong `--ckpt_path` is one clear
line, written atomically, so a killed run never leaves a truncated `last.ckpt`, and loaded back
outside the CLI (benchmarks) exactly as `lightlm test --ckpt_path` would: the checkpoint's own
model class, hyperparameters, item index and weights.

Checkpoints are loaded with `weights_only=True` (no arbitrary code runs from a file): lightlm's
checkpoints hold only tensors, numbers, strings, lists and dicts, the item index included.
"""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import torch
from fsspec.implementations.local import LocalFileSystem
from lightning.fabric.utilities.cloud_io import get_filesystem
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.plugins.io import TorchCheckpointIO

from datamodules.datamodule import RecDataModule
from datamodules.item_index import ItemIndex
from datamodules.split import LeaveOneOut, leave_one_out
from kitbase.errors import ConfigError, DataFormatError, IndexMismatchError
from kitbase.files import write_atomic
from lightlm.recommender import Recommender

# `--ckpt_path` values that Lightning resolves itself rather than reading a file.
SPECIAL_PATHS = ("best", "last", "hpc", "registry")


def check_checkpoint(path: str | Path, weights_only: bool = True) -> dict:
    """The checkpoint at `path`, memory-mapped (its tensors are not loaded twice); a `LightLMError`
    naming `path` when it is missing, unreadable or not lightlm's."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"--ckpt_path: no checkpoint at {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=weights_only, mmap=True)
    except Exception as e:  # any failure to read the file is a problem with the file
        text = str(e).strip()
        reason = text.splitlines()[0] if text else type(e).__name__
        raise DataFormatError(f"{path}: not a readable checkpoint ({reason})") from None
    if not isinstance(checkpoint, dict) or "lightlm_index" not in checkpoint:
        raise IndexMismatchError(
            f"{path}: the checkpoint carries no item index; it was not made by lightlm fit"
        )
    return checkpoint


def latest_checkpoint(best: ModelCheckpoint) -> ModelCheckpoint:
    """A callback that writes `last.ckpt` in `best`'s folder at each of `best`'s save points (epoch
    ends, `every_n_train_steps`, `train_time_interval`), whether or not the monitored metric improved.

    Lightning 2.6 writes `save_last` only at a step where the monitored checkpoint is saved too, so
    under a monitor its `last.ckpt` stays at the best epoch: a resume or `--ckpt_path last` would
    silently continue from, or score, the best epoch's weights instead of the latest. The caller
    turns `best.save_last` off and adds this callback after `best` (so that
    `trainer.checkpoint_callback` stays the monitored one).
    """
    return ModelCheckpoint(
        dirpath=best.dirpath,
        filename=ModelCheckpoint.CHECKPOINT_NAME_LAST,
        monitor=None,
        save_top_k=1,
        save_weights_only=best.save_weights_only,
        every_n_train_steps=best._every_n_train_steps,
        train_time_interval=best._train_time_interval,
        every_n_epochs=best._every_n_epochs,
        save_on_train_epoch_end=best._save_on_train_epoch_end,
        enable_version_counter=False,
    )


def save_best_at_validation(best: ModelCheckpoint) -> None:
    """Let the monitored checkpoint save only at validation ends, on the weights just scored.

    With `every_n_train_steps`, `train_time_interval` or `save_on_train_epoch_end`, Lightning 2.6
    also saves it between validations, judged by the last validation's score: `best.ckpt` then
    holds later weights that no validation ever scored, and `test` reports them as the best
    epoch's. Those save points stay with `last.ckpt` (`latest_checkpoint`), which a resume reads.
    """
    if best.monitor is None:
        return
    if best._every_n_train_steps or best._train_time_interval or best._save_on_train_epoch_end:
        best._every_n_train_steps, best._train_time_interval = 0, None
        best._every_n_epochs, best._save_on_train_epoch_end = best._every_n_epochs or 1, False


class AtomicCheckpointIO(TorchCheckpointIO):
    """Writes a checkpoint to a temporary file beside it, then renames it into place.

    Lightning's own save stages local files in the system temp directory and moves them, which
    is a copy, not a rename, when that is another file system: a kill during the copy would
    truncate the checkpoint a resumed run needs. Remote paths (s3://, ...) keep Lightning's save.
    """

    def save_checkpoint(self, checkpoint: dict, path, storage_options=None) -> None:
        if storage_options is not None or not isinstance(get_filesystem(path), LocalFileSystem):
            return super().save_checkpoint(checkpoint, path, storage_options)
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        write_atomic(Path(path), buffer.getvalue())


def recommender_class(checkpoint: dict, path: str | Path) -> tuple[type[Recommender], dict]:
    """The model class of a loaded checkpoint and the keyword arguments that rebuild it.

    The class comes from LightningCLI's `_class_path` hyperparameter, else from the `lightlm_class`
    that `Recommender.on_save_checkpoint` stores (a checkpoint a plain `Trainer` saved), else, for
    checkpoints older than both, the generative model. Refuses (`IndexMismatchError` naming `path`)
    a class that is not a lightlm `Recommender`.
    """
    hparams = dict(checkpoint.get("hyper_parameters") or {})
    hparams.pop("_instantiator", None)
    default = checkpoint.get("lightlm_class", "lightlm.generative.GenerativeRecommender")
    class_path = hparams.pop("_class_path", default)
    module, _, name = class_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, Recommender)):
        raise IndexMismatchError(f"{path}: model class {class_path!r} is not a lightlm Recommender")
    return cls, hparams


def load_recommender(path: str | Path, data: RecDataModule) -> Recommender:
    """The trained recommender in `path`, in eval mode, attached to `data` with the checkpoint's
    own item index (no refit), as `lightlm test --ckpt_path` evaluates it.

    `data` is a datamodule that has not been set up: its file is read and split here and its
    `index` becomes the checkpoint's, so `data.dataset(stage)` gives the samples the model was
    built for. Refuses (one `LightLMError` naming `path`) a checkpoint of other data, or one
    whose network does not fit `data`'s task and history length.
    """
    split = leave_one_out(data.read())
    rec = restore_recommender(path, split, data.history_len, f"{path}",
                              f"{data.path or 'the synthetic data'} (task {data.task!r})")
    data.split, data.index = split, rec.index
    return rec


def restore_recommender(path: str | Path, split: LeaveOneOut, history_len: int, label: str,
                        data_name: str) -> Recommender:
    """The trained recommender in `path`, in eval mode, built for `split` (already read) with the
    checkpoint's own item index. Errors start with `label` (the path, or the option that named
    it) and call the data `data_name`: a checkpoint of other data, or a network that does not
    fit the history length, is refused (`IndexMismatchError`)."""
    checkpoint = check_checkpoint(path)
    cls, hparams = recommender_class(checkpoint, path)
    index = ItemIndex.from_dict(checkpoint["lightlm_index"], source=f"{path} (its item index)")
    if index.data_fingerprint != split.data.fingerprint():
        raise IndexMismatchError(
            f"{label}: trained on other data (fingerprint {index.data_fingerprint}) than "
            f"{data_name} (fingerprint {split.data.fingerprint()})"
        )
    rec = cls(**hparams)
    rec.attach(index, split, history_len)
    try:
        rec.load_state_dict(checkpoint["state_dict"])
    except RuntimeError as e:
        reason = next((line.strip() for line in str(e).splitlines()[1:] if line.strip()), str(e))
        raise IndexMismatchError(
            f"{label}: the checkpoint's {cls.__name__} does not fit {data_name} with "
            f"history length {history_len} ({reason})"
        ) from None
    return rec.eval()
