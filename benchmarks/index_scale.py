"""How indexer fit time and memory grow with the catalogue: synthetic data, 10k to 1M items.

Each (indexer, size) fit runs in a fresh spawned process, so its peak resident memory
(ru_maxrss) is its own and not the high-water mark of an earlier, larger fit. The peak includes
the interpreter, torch and the loaded interactions; `base_rss_mb` is what the child held right
before fitting, so `peak_rss_mb - base_rss_mb` is the fit's own footprint.

The data has the shape of a real catalogue: twice as many users as items, about 8 interactions
per user, Zipf item popularity, and communities (each user buys mostly from a home community)
so that collaborative indexers have structure to find.

    python benchmarks/index_scale.py --sizes 10000 100000 --indexers sci gci rq random
    python benchmarks/index_scale.py --sizes 100000 --indexers sci sci:solver=subspace
"""

from __future__ import annotations

import os

# OpenMP threads spin while they wait unless told not to, which starves other threads on a shared
# CPU; the setting counts only if it is made before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import multiprocessing as mp
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from datamodules.interactions import Sequences
from indexers.registry import INDEXERS, make_indexer
from indexers.stats import collaborative_coherence
from kitbase.errors import ConfigError

HOME_SHARE = 0.7  # share of a user's interactions drawn from their home community
ZIPF_EXPONENT = 1.0


def synthetic_interactions(n_items: int, seed: int, per_user: float = 8.0) -> Sequences:
    """Power-law interactions with community structure, fully vectorized.

    Users: 2 * n_items, each with 3 + Poisson(per_user - 3) distinct items in random order.
    Items: sqrt(n_items) / 2 communities; popularity 1 / rank^ZIPF_EXPONENT over a random rank.
    """
    rng = np.random.default_rng(seed)
    n_users = 2 * n_items
    n_comm = max(2, int(np.sqrt(n_items) / 2))
    community = rng.integers(n_comm, size=n_items)
    weight = 1.0 / (rng.permutation(n_items) + 1.0) ** ZIPF_EXPONENT
    lengths = 3 + rng.poisson(per_user - 3, size=n_users)
    users = np.repeat(np.arange(n_users), lengths)
    home = rng.integers(n_comm, size=n_users)[users]

    # Items grouped by community; inverse-CDF sampling within a community's slice of the CDF.
    by_comm = np.argsort(community, kind="stable")
    cdf = np.cumsum(weight[by_comm])
    bounds = np.searchsorted(community[by_comm], np.arange(n_comm + 1))
    lo = np.where(bounds[:-1] > 0, cdf[np.maximum(bounds[:-1] - 1, 0)], 0.0)
    hi = cdf[bounds[1:] - 1]
    u = lo[home] + rng.random(len(users)) * (hi[home] - lo[home])
    local = by_comm[np.minimum(np.searchsorted(cdf, u, side="right"), n_items - 1)]
    global_cdf = np.cumsum(weight)
    anywhere = np.searchsorted(global_cdf, rng.random(len(users)) * global_cdf[-1], side="right")
    items = np.where(rng.random(len(users)) < HOME_SHARE, local, np.minimum(anywhere, n_items - 1))

    pairs = np.unique(users.astype(np.int64) * n_items + items)  # distinct (user, item)
    users, items = pairs // n_items, pairs % n_items
    order = np.lexsort((rng.random(len(pairs)), users))  # random order within each user
    offsets = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(np.bincount(users, minlength=n_users), out=offsets[1:])
    return Sequences(offsets, items[order].astype(np.int64), n_items)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def indexer_spec(text: str) -> str:
    """An `--indexers` entry: a registry name, optionally with constructor arguments,
    `sci:solver=subspace` or `rq:codebook_size=128,epochs=10`; checked here, before any data is
    made, and returned unchanged (it names the result row)."""
    try:
        name, kwargs = parse_indexer_spec(text)
        make_indexer(name, **kwargs)
    except (ConfigError, TypeError, ValueError) as err:
        raise argparse.ArgumentTypeError(f"{text!r}: {err}; known indexers: {sorted(INDEXERS)}") from err
    return text


def parse_indexer_spec(text: str) -> tuple[str, dict]:
    """`name:key=value,...` -> (name, {key: value}); values read as int, float, true/false or text."""
    name, _, options = text.partition(":")
    kwargs = {}
    for option in filter(None, options.split(",")):
        key, eq, value = option.partition("=")
        if not eq:
            raise ValueError(f"option {option!r} is not key=value")
        kwargs[key] = _option_value(value)
    return name, kwargs


def _option_value(value: str):
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _fit_in_child(path: str, spec: str, seed: int, queue: mp.Queue) -> None:
    """Load the data, fit one indexer (`indexer_spec`), report time, memory and a few code statistics."""
    z = np.load(path)
    train = Sequences(z["offsets"], z["items"], int(z["n_items"]))
    name, kwargs = parse_indexer_spec(spec)
    indexer = make_indexer(name, seed=seed, **kwargs)
    base = _rss_mb()
    start = time.perf_counter()
    cpu = time.process_time()
    index = indexer.fit(train)
    fit_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    coherence = collaborative_coherence(index.item_codes, train, seed)
    queue.put(
        {
            "fit_s": round(fit_s, 2),
            "cpu_s": round(cpu_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "base_rss_mb": round(base, 1),
            "max_item_code_length": int(index.item_code_lengths.max()),
            "item_level_sizes": index.level_sizes("item"),
            "coherence_ratio": coherence["ratio"],
        }
    )


def run_one(path: str, name: str, seed: int, timeout_s: float) -> dict:
    return run_in_child(_fit_in_child, (path, name, seed), timeout_s)


def run_in_child(target, args: tuple, timeout_s: float) -> dict:
    """`target(*args, queue)` in a fresh spawned process (its own peak memory, nothing cached
    from an earlier point); the dict it puts on the queue, or an error row."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, queue))
    child.start()
    child.join(timeout_s)
    if child.is_alive():
        child.terminate()
        child.join()
        return {"error": f"timed out after {timeout_s:.0f} s"}
    if child.exitcode != 0:
        return {"error": f"child exited with code {child.exitcode}"}
    return queue.get()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="catalogue sizes (items); users are twice as many",
    )
    parser.add_argument(
        "--indexers",
        nargs="+",
        default=["sci", "gci", "rq", "random"],
        type=indexer_spec,
        help=f"indexers to time, of {sorted(INDEXERS)}, each optionally with arguments (sci:solver=subspace)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the indexers")
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds before a fit is abandoned"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmarks/results/index_scale.json"),
        help="JSON result file",
    )
    args = parser.parse_args(argv)

    rows = []
    header = (
        f"{'items':>9} {'users':>9} {'inter.':>10} {'indexer':>8} {'fit s':>8} "
        f"{'cpu s':>8} {'peak MB':>8} {'base MB':>8} {'coher.':>7}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            train = synthetic_interactions(size, args.seed)
            path = str(Path(tmp) / f"data_{size}.npz")
            np.savez(path, offsets=train.offsets, items=train.items, n_items=train.n_items)
            for name in args.indexers:
                result = run_one(path, name, args.seed, args.timeout)
                row = {
                    "items": size,
                    "users": train.n_users,
                    "interactions": len(train),
                    "indexer": name,
                    **result,
                }
                rows.append(row)
                if "error" in result:
                    print(
                        f"{size:>9} {train.n_users:>9} {len(train):>10} {name:>8} {result['error']}"
                    )
                else:
                    ratio = result["coherence_ratio"]
                    print(
                        f"{size:>9} {train.n_users:>9} {len(train):>10} {name:>8} "
                        f"{result['fit_s']:>8.1f} {result['cpu_s']:>8.1f} "
                        f"{result['peak_rss_mb']:>8.0f} {result['base_rss_mb']:>8.0f} "
                        f"{ratio if ratio is None else round(ratio, 2):>7}",
                        flush=True,
                    )
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(
                    json.dumps(
                        {
                            "seed": args.seed,
                            "cpus": mp.cpu_count(),
                            "platform": platform.platform(),
                            "python": platform.python_version(),
                            "rows": rows,
                        },
                        indent=1,
                    )
                )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
