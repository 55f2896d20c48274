"""Progress of long steps deep inside the data flow (an eigensolver, KMeans, BPR epochs), shown
by whichever display the caller opened (the datamodule's spinner, `lightlm index`'s status line).

Indexers call `report("BPR epoch 3/20")`; without a display listening it costs nothing, so the
library stays silent when used from Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_listeners: list[Callable[[str], None]] = []


def listening() -> bool:
    """Whether a caller's display is listening: it owns the terminal, so no other may open."""
    return bool(_listeners)


def report(step: str) -> None:
    """Tell the innermost listening display which step is running now."""
    if _listeners:
        _listeners[-1](step)


@contextmanager
def reporting_to(listener: Callable[[str], None]) -> Iterator[None]:
    """Send `report` calls made inside this block to `listener` (e.g. a spinner's update)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
