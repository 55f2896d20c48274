"""The rich table printed after `test`: the model's metrics beside the popularity baseline.

`MetricsTable` is registered by `lightlm` for every run; `metrics_table` builds the same table
for benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping

import lightning as L
from lightning.pytorch.callbacks import Callback
from rich.console import Console
from rich.table import Table

from lightlm.metrics import METRIC_NAMES


def metrics_table(metrics: Mapping[str, float], model_name: str = "model") -> Table:
    """Every metric of `lightlm.metrics.METRICS`, the model beside the popularity baseline of the
    same split.

    `metrics` holds the logged names (`test/recall@10`, `test/popularity/recall@10`, ...);
    rows whose figures are missing are left out.
    """
    table = Table(title="test (full ranking, leave-one-out)", title_justify="left")
    table.add_column("metric")
    table.add_column(model_name, justify="right", style="bold")
    table.add_column("popularity", justify="right")
    table.add_column("x popularity", justify="right", style="dim")
    for name in METRIC_NAMES:
        model = metrics.get(f"test/{name}")
        if model is None:
            continue
        model = float(model)
        pop = metrics.get(f"test/popularity/{name}")
        pop = None if pop is None else float(pop)
        ratio = f"{model / pop:.2f}" if pop else "-"
        table.add_row(name, f"{model:.4f}", "-" if pop is None else f"{pop:.4f}", ratio)
    return table


class MetricsTable(Callback):
    """After `test`, prints the model's metrics beside the popularity baseline as a rich table."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        metrics = {k: v.item() if hasattr(v, "item") else v for k, v in trainer.callback_metrics.items()}
        if not any(k.startswith("test/") for k in metrics):
            return
        (self.console or Console()).print(metrics_table(metrics, type(pl_module).__name__))
