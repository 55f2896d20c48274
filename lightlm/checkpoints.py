"""Checks a checkpoint before Lightning loads it, so a wrong `--ckpt_path` is one clear line.

Checkpoints are loaded with `weights_only=True` (no arbitrary code runs from a file): lightlm's
checkpoints hold only tensors, numbers, strings, lists and dicts, the item index included.
"""

from __future__ import annotations

from pathlib import Path

import torch

from datamodules.errors import ConfigError, DataFormatError, IndexMismatchError

# `--ckpt_path` values that Lightning resolves itself rather than reading a file.
SPECIAL_PATHS = ("best", "last", "hpc", "registry")


def check_checkpoint(path: str | Path, weights_only: bool = True) -> None:
    """Raise a `LightLMError` naming `path` when it is missing, unreadable or not lightlm's.

    Reads the file memory-mapped, so the tensors themselves are not loaded twice.
    """
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
