"""What a study's rows say: mean ± std over seeds, the Markdown table, the plot, the terminal table.

Seeds are the study's noise: every figure is reported as the mean over a (model, indexer, shape)
group's seeds with the sample standard deviation beside it, so a difference can be read against
its spread. The best value of each column is bold, so the table answers "which wins" at a glance.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from rich.console import Console
from rich.table import Table

from lightlm.metrics import METRIC_NAMES as METRICS

# The Markdown table's metric columns, in order.
SHOWN = ["recall@10", "ndcg@10", "recall@20", "ndcg@20", "mrr@20", "coverage@10", "novelty@10",
         "val_ndcg@10"]


def summarize(rows: list[dict]) -> list[dict]:
    """Mean and std over seeds per (model, indexer, shape), in first-appearance order.

    Each group gives `n` (its rows) and, per metric `m`, `m` (the mean over the rows that have
    it, None if none) and `m_std` (the sample std, 0.0 below two values).
    """
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["model"], r["indexer"], r["shape"]), []).append(r)
    out = []
    for (model, indexer, shape), rs in groups.items():
        s = {"model": model, "indexer": indexer, "shape": shape, "n": len(rs)}
        for m in [*METRICS, "val_ndcg@10", "train_seconds", "params"]:
            values = [float(r[m]) for r in rs if r.get(m) not in (None, "")]
            s[m] = statistics.fmean(values) if values else None
            s[f"{m}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        out.append(s)
    return out


def markdown_table(summary: list[dict], title: str) -> str:
    """`title`, then one row per group: mean ± std (4 decimals), each column's best mean in bold."""
    best = {m: max((s[m] for s in summary if s[m] is not None), default=None) for m in SHOWN}
    lines = [
        title, "",
        "| model | indexer | shape | seeds | " + " | ".join(SHOWN) + " | params | train min |",
        "|---|---|---|---|" + "---|" * len(SHOWN) + "---|---|",
    ]
    for s in summary:
        cells = []
        for m in SHOWN:
            if s[m] is None:
                cells.append("-")
                continue
            text = f"{s[m]:.4f}" + (f" ± {s[f'{m}_std']:.4f}" if s["n"] > 1 else "")
            cells.append(f"**{text}**" if best[m] is not None and s[m] == best[m] else text)
        params = f"{s['params'] / 1e6:.2f}M" if s["params"] else "-"
        minutes = f"{s['train_seconds'] / 60:.1f}" if s["train_seconds"] else "-"
        seeds = s["n"] if s["model"] != "popularity" else "-"
        indexer = s["indexer"] if s["model"] == "generative" else "-"  # SASRec reads item ids
        lines.append(f"| {s['model']} | {indexer} | {s['shape']} | {seeds} | "
                     + " | ".join(cells) + f" | {params} | {minutes} |")
    return "\n".join(lines) + "\n"


def plot(summary: list[dict], path: Path, title: str) -> None:
    """Test Recall@10 and NDCG@10 bars per indexer and shape with std error bars, baselines dashed.

    Groups not tested yet (mid `--test-saved`) are left out.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gen = [s for s in summary if s["model"] == "generative" and s["ndcg@10"] is not None]  # tested ones
    indexers = list(dict.fromkeys(s["indexer"] for s in gen))
    shapes = list(dict.fromkeys(s["shape"] for s in gen))
    lookup = {(s["indexer"], s["shape"]): s for s in gen}
    baselines = [s for s in summary if s["model"] != "generative" and s["ndcg@10"] is not None]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    width = 0.8 / max(1, len(shapes))
    for ax, metric in zip(axes, ("recall@10", "ndcg@10"), strict=True):
        for j, shape in enumerate(shapes):
            xs, ys, es = [], [], []
            for i, ix in enumerate(indexers):
                if (ix, shape) in lookup:
                    xs.append(i + (j - (len(shapes) - 1) / 2) * width)
                    ys.append(lookup[ix, shape][metric])
                    es.append(lookup[ix, shape][f"{metric}_std"])
            ax.bar(xs, ys, width, yerr=es, capsize=3, label=shape)
        for k, b in enumerate(baselines):
            ax.axhline(b[metric], color=f"C{len(shapes) + k}", linestyle="--", linewidth=1.2,
                       label=b["model"])
        ax.set_xticks(range(len(indexers)), indexers)
        ax.set_ylabel(f"test {metric}")
        ax.set_xlabel("indexer")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)


def write_reports(out: Path, rows: list[dict], meta: dict) -> list[dict]:
    """results.md (atomically) and, once a generative cell is tested, ablation.png; the summary."""
    summary = summarize(rows)
    title = (f"## Ablation: {meta['dataset']}, preset `{meta['preset']}` "
             f"(full ranking, leave-one-out; mean ± std over seeds; test and val_ndcg@10 at the "
             f"best validation epoch)")
    md = markdown_table(summary, title)
    md += (f"\n{meta['description']}. Test at the best validation epoch (val/ndcg@10). "
           f"Hardware: {meta['hardware']}.\n")
    tmp = out / ".results.md.tmp"
    tmp.write_text(md)
    os.replace(tmp, out / "results.md")
    if any(s["model"] == "generative" and s["ndcg@10"] is not None for s in summary):
        title = f"{meta['dataset']}, preset {meta['preset']}: mean ± std over seeds"
        plot(summary, out / "ablation.png", title)
    return summary


def print_summary(console: Console, summary: list[dict]) -> None:
    """The summary on the terminal; the best group by test (else validation) NDCG@10 in green."""
    table = Table(title="ablation (mean ± std over seeds)", title_justify="left")
    metrics = ("recall@10", "ndcg@10", "val_ndcg@10")
    for col in ("model", "indexer", "shape", "seeds", *metrics):
        table.add_column(col, justify="right" if "@" in col or col == "seeds" else "left")
    key = "ndcg@10" if any(s["ndcg@10"] is not None for s in summary) else "val_ndcg@10"
    best = max(s[key] for s in summary if s[key] is not None)
    for s in summary:
        style = "bold green" if s[key] == best else None
        seeds = str(s["n"]) if s["model"] != "popularity" else "-"
        cells = ["-" if s[m] is None else f"{s[m]:.4f} ± {s[f'{m}_std']:.4f}" for m in metrics]
        table.add_row(s["model"], s["indexer"], s["shape"], seeds, *cells, style=style)
    console.print(table)
