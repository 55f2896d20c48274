"""The datamodule's spinner: shown on a terminal, and left to a caller's display that listens
(`lightlm index`'s status line), which then gets the steps reported inside."""

import io

import rich
from rich.console import Console

from datamodules.datamodule import status
from datamodules.progress import report, reporting_to


def _terminal(monkeypatch) -> io.StringIO:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    monkeypatch.setattr(rich, "get_console", lambda: console)
    return out


def test_spinner_on_a_terminal(monkeypatch):
    out = _terminal(monkeypatch)
    with status("fitting the index"):
        report("KMeans")
    assert "fitting the index" in out.getvalue()


def test_a_listening_caller_display_gets_the_steps_and_no_spinner_opens(monkeypatch):
    out = _terminal(monkeypatch)
    steps = []
    with reporting_to(steps.append), status("fitting the index"):
        report("KMeans")
    assert steps == ["KMeans"]
    assert out.getvalue() == ""
