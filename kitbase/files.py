"""Output files written whole or not at all, and output folders checked before expensive work."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kitbase.errors import ConfigError


def check_writable(directory: Path, option: str) -> None:
    """Raise a `ConfigError` naming `option` unless a file can be written into `directory` (made
    if missing). Tried with an unnamed temporary file in its nearest existing ancestor, so the
    check leaves nothing behind; permission bits alone miss read-only mounts and root."""
    existing = directory
    while not existing.exists():  # at worst the working directory or /
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{option}: cannot create {directory}: {existing} is a file")
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as e:
        why = f"{existing} is not writable ({e.strerror})"
        raise ConfigError(f"{option}: cannot write to {directory}: {why}") from None


def write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as a plain open() would; mkstemp makes files private
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
