"""Output paths checked before any expensive work: a run that would fail to write its checkpoint,
metrics, predictions or index statistics says so before training, indexing or beam search.

A path is writable when its nearest existing ancestor is a directory this process can create a
file in (`kitbase.files.check_writable`); the missing folders are created when the file is
written. `~` is expanded here, once, so that no run creates a folder literally named `~`.
"""

from __future__ import annotations

import os
from pathlib import Path

from kitbase.errors import ConfigError
from kitbase.files import check_writable

# Config keys (dotted, within a subcommand's config) that hold file system paths.
PATH_OPTIONS = (
    "ckpt_path",
    "checkpoint.dirpath",
    "predictions.path",
    "results.path",
    "data.path",
    "data.cache_dir",
    "trainer.default_root_dir",
)


def expand_home(cfg, keys: tuple[str, ...] = PATH_OPTIONS) -> None:
    """Replace a leading `~` in the path options of `cfg` (a jsonargparse Namespace) in place."""
    for key in keys:
        value = cfg.get(key) if key in cfg else None
        if isinstance(value, (str, Path)) and str(value).startswith("~"):
            cfg[key] = os.path.expanduser(str(value))


def check_output_dir(path: str | Path, option: str) -> None:
    """Raise a `ConfigError` naming `option` unless files can be written into directory `path`."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option}: {path} is a file, not a directory")
    check_writable(path, option)


def check_output_file(path: str | Path, option: str) -> None:
    """Raise a `ConfigError` naming `option` unless file `path` can be written (or replaced)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{option}: {path} is a directory, not a file")
    check_writable(path.parent, option)
