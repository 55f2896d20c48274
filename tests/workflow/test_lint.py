"""`ruff check` over the whole repository: the linter runs wherever the test suite runs.

The rules and the line length (110) are the ones in pyproject.toml; `.ci/run` installs the dev
extras (ruff with pytest) and runs `pytest`, so a lint finding fails CI like any broken test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_check_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"
