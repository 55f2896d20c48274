"""Checkpoint files: checked before Lightning loads them, so a wrong `--ckpt_path` is one clear
line, and written atomically, so a killed run never leaves a truncated `last.ckpt`.

Checkpoints are loaded with `weights_only=True` (no arbitrary code runs from a file): lightlm's
checkpoints hold only tensors, numbers, strings, lists and dicts, the item index included.
"""

from __future__ import annotations

import io
from pathlib import Path

import torch
from fsspec.implementations.local import LocalFileSystem
from lightning.fabric.utilities.cloud_io import get_filesystem
from lightning.pytorch.plugins.io import TorchCheckpointIO

from datamodules.errors import ConfigError, DataFormatError, IndexMismatchError
from indexers.base import write_atomic

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
