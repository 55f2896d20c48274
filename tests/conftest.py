"""Test-suite wide options: GPU tests run where a GPU is, and say so where it is not.

Tests marked `gpu` are deselected when CUDA is unavailable, and the run says how many and why in
its summary; `pytest --gpu` keeps them anyway (they then fail with CUDA's own error), so a GPU job
that lost its device fails instead of passing quietly.
"""

from __future__ import annotations

import pytest

from lightlm.cli import configure_process

configure_process()  # the `lightlm` command's process settings, before any test imports torch

_GPU_NOTE = pytest.StashKey[str]()  # why gpu tests were deselected, for the summary


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--gpu", action="store_true", help="run the tests marked gpu even without CUDA")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu = [item for item in items if item.get_closest_marker("gpu") is not None]
    if not gpu or config.getoption("--gpu"):
        return
    import torch

    if torch.cuda.is_available():
        return
    items[:] = [item for item in items if item.get_closest_marker("gpu") is None]
    config.hook.pytest_deselected(items=gpu)
    config.stash[_GPU_NOTE] = (
        f"{len(gpu)} gpu test(s) deselected: torch sees no CUDA device here. Run them on a GPU "
        "machine (`pytest -m gpu`), or pass --gpu to run them regardless."
    )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    note = config.stash.get(_GPU_NOTE, None)
    if note:
        terminalreporter.write_sep("-", "gpu tests")
        terminalreporter.write_line(note)

