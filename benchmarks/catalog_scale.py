"""A catalogue from 10k to 1M items end to end: indexing, the generative model and SASRec-CE.

Generative retrieval's promise is that decoding cost follows the code length and the beam width,
not the catalogue size, while SASRec-CE scores every item for every user. This script measures
both on the same synthetic data (`index_scale.synthetic_interactions`: Zipf popularity with
communities, two users per item, about 8 interactions per user), leave-one-out split:

* indexers (`--indexers`, co-indexing SCI, RQ, GCI): fit seconds, peak memory and collaborative
  coherence, each fit in a fresh process (`index_scale.run_one`);
* the generative model (`--preset`, 20 beams, the catalogue's sequential index in base 100 with
  users written as base-100 digits, so the vocabulary does not grow with the users): training
  samples/s (direct task, AdamW step), decode users/s with `exclude_train_items` on (the
  exclusion keys of every user are held), trie build seconds and size, peak memory;
* SASRec-CE (`lightlm.sasrec`, 20 recent items): training samples/s (full softmax over the
  catalogue), full-ranking users/s with the same exclusion, peak memory.

Model speeds are given per wall second and per CPU second of the (one-thread) child: on a machine
shared with other jobs the second is the one to compare across sizes.

Every (part, size) runs in a fresh spawned process, so each peak resident memory (ru_maxrss) is its
own. The last table gives each figure at the largest size over its figure at the smallest.

    python benchmarks/catalog_scale.py --sizes 10000 100000 1000000 --threads 1
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
from index_scale import indexer_spec, run_in_child, run_one, synthetic_interactions

from datamodules.samples import DEFAULT_HISTORY_LEN
from indexers.registry import INDEXERS

RESULTS = Path(__file__).resolve().parent / "results"
MODELS = ("generative", "sasrec")


def _setup(path: str, threads: int):
    """The split of the saved interactions, in a child process with `threads` torch threads."""
    import torch

    from datamodules.interactions import Interactions, Sequences
    from datamodules.split import leave_one_out
    from lightlm.cli import keep_freed_heap

    torch.set_num_threads(threads)
    keep_freed_heap()  # malloc as `lightlm fit` sets it (MALLOC_MMAP_MAX_=65536: glibc's defaults)
    z = np.load(path)
    seqs = Sequences(z["offsets"], z["items"], int(z["n_items"]))
    ids = np.arange(max(seqs.n_users, seqs.n_items)).astype(str)
    data = Interactions(seqs, ids[: seqs.n_users], ids[: seqs.n_items], source="catalog_scale")
    return leave_one_out(data)


class Clock:
    """Wall and process-CPU seconds of the timed sections. On a machine shared with other jobs
    the CPU seconds of a one-thread child are the robust figure: wall time also counts the
    time the scheduler gave to someone else."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def _timed_training(rec, samples, batch_size: int, steps: int, seed: int) -> Clock:
    """Time of `steps` AdamW steps (after two untimed ones) with the models' optimizer settings, at
    a constant learning rate and with gradients clipped at norm 1.0 (`fit` clips only with
    `--trainer.gradient_clip_val`); neither changes the arithmetic of a step."""
    import torch

    from lightlm.optimization import OptimizerSettings

    gen = torch.Generator().manual_seed(seed)
    opt = OptimizerSettings().optimizer(rec.parameters())
    rec.train()
    clock, warm = Clock(), Clock()
    for i in range(steps + 2):
        batch = samples.__getitems__(torch.randint(len(samples), (batch_size,), generator=gen).tolist())
        with clock if i >= 2 else warm:
            loss = rec.model_step(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(rec.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
    rec.eval()
    return clock


def _timed_ranking(rec, samples, users: int, batch_size: int) -> tuple[int, Clock]:
    """Time of `rec.recommend` on the first `users` test users (one untimed batch first)."""
    import torch

    users = min(users, len(samples))
    batches = [
        samples.__getitems__(list(range(i, min(users, i + batch_size)))) for i in range(0, users, batch_size)
    ]
    with torch.no_grad():
        rec.recommend(batches[0], "test")
        with Clock() as clock:
            for batch in batches:
                rec.recommend(batch, "test")
    return users, clock


def _model_in_child(path: str, model: str, args: dict, queue) -> None:
    import torch

    from datamodules.samples import evaluation_samples, training_samples
    from indexers.sequential import SequentialIndexer
    from lightlm.decoding.trie import PrefixTrie
    from lightlm.generative import GenerativeRecommender
    from lightlm.sasrec import SASRec

    torch.manual_seed(args["seed"])
    split = _setup(path, args["threads"])
    start = time.perf_counter()
    index = SequentialIndexer(base=100, user_tokens="digits").fit(split.train)
    row = {"index_s": round(time.perf_counter() - start, 2)}
    history_len = 0 if model == "generative" else args["history_len"]
    if model == "generative":
        rec = GenerativeRecommender(preset=args["preset"], num_beams=args["beams"], exclude_train_items=True)
    else:
        rec = SASRec(max_len=history_len, exclude_train_items=True)
    start = time.perf_counter()
    rec.attach(index, split, history_len)
    row["build_s"] = round(time.perf_counter() - start, 2)
    keys = sum(k.numel() * k.element_size() for k in rec.history_keys.values())
    row["exclusion_keys_mb"] = round(keys / 2**20, 3)
    row["params"] = sum(p.numel() for p in rec.parameters())
    if model == "generative":
        start = time.perf_counter()
        trie = PrefixTrie(rec.item_tokens, rec.local_index)
        row["trie_build_s"] = round(time.perf_counter() - start, 4)
        tensors = (trie.child_ptr, trie.child_token, trie.child_column, trie.child_node, trie.leaf_item)
        row["trie_nodes"] = trie.n_nodes
        row["trie_mb"] = round(sum(t.numel() * t.element_size() for t in tensors) / 2**20, 3)
        row["code_len"] = trie.depth
    train = training_samples(split.train, history_len)
    clock = _timed_training(rec, train, args["batch_size"], args["train_steps"], args["seed"])
    samples = args["batch_size"] * args["train_steps"]
    row["train_samples_per_s"] = round(samples / clock.wall, 1)
    row["train_samples_per_cpu_s"] = round(samples / clock.cpu, 1)
    del train
    test = evaluation_samples(split.history("test"), split.test_target, history_len)
    users, clock = _timed_ranking(rec, test, args["users"], args["eval_batch_size"])
    row["users_per_s"] = round(users / clock.wall, 1)
    row["users_per_cpu_s"] = round(users / clock.cpu, 1)
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    queue.put(row)


def run_model(path: str, model: str, args: dict, timeout_s: float) -> dict:
    return run_in_child(_model_in_child, (path, model, args), timeout_s)


# (column, key, format) of each part's table; the ratio table uses the same keys.
INDEX_COLUMNS = [
    ("fit s", "fit_s", ".1f"),
    ("peak MB", "peak_rss_mb", ".0f"),
    ("coher.", "coherence_ratio", ".2f"),
]
MODEL_COLUMNS = [
    ("train smp/s", "train_samples_per_s", ",.0f"),
    ("smp/cpu-s", "train_samples_per_cpu_s", ",.0f"),
    ("users/s", "users_per_s", ",.1f"),
    ("users/cpu-s", "users_per_cpu_s", ",.1f"),
    ("peak MB", "peak_rss_mb", ",.0f"),
    ("trie s", "trie_build_s", ".2f"),
    ("trie MB", "trie_mb", ".1f"),
    ("excl. MB", "exclusion_keys_mb", ".1f"),
]


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    return "-" if value is None else format(value, fmt)


def print_tables(rows: list[dict]) -> None:
    """One table for the indexers, one for the models; '-' where a figure does not apply."""
    for kind, cols in (("indexer", INDEX_COLUMNS), ("model", MODEL_COLUMNS)):
        part_rows = [r for r in rows if r["part"].startswith("index:") == (kind == "indexer")]
        if not part_rows:
            continue
        names = [r["part"].removeprefix("index:") for r in part_rows]
        width = max(10, *map(len, names))  # indexer arguments make long names
        print(f"\n{'items':>9} {kind:<{width}} " + " ".join(f"{c:>11}" for c, _, _ in cols))
        for r, name in zip(part_rows, names):
            cells = r["error"] if "error" in r else " ".join(f"{_cell(r, k, f):>11}" for _, k, f in cols)
            print(f"{r['items']:>9} {name:<{width}} {cells}")


def ratios(rows: list[dict]) -> list[dict]:
    """Each figure at the largest size over the same figure at the smallest, per part."""
    out = []
    for part in dict.fromkeys(r["part"] for r in rows):
        ok = sorted((r for r in rows if r["part"] == part and "error" not in r), key=lambda r: r["items"])
        if len(ok) < 2:
            continue
        lo, hi = ok[0], ok[-1]
        cols = INDEX_COLUMNS if part.startswith("index:") else MODEL_COLUMNS
        out.append(
            {"part": part, "from_items": lo["items"], "to_items": hi["items"]}
            | {k: round(hi[k] / lo[k], 3) for _, k, _ in cols if lo.get(k) and hi.get(k) is not None}
        )
    return out


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="catalogue sizes (items)"
    )
    p.add_argument(
        "--indexers",
        nargs="*",
        default=["sci", "rq", "gci"],
        type=indexer_spec,
        help=f"indexers to fit at every size, of {sorted(INDEXERS)}, each optionally with arguments "
        "(sci:solver=subspace); none: models only",
    )
    p.add_argument("--models", nargs="*", default=list(MODELS), choices=MODELS, help="models to time")
    p.add_argument("--preset", default="small", help="generative model shape")
    p.add_argument("--beams", type=int, default=20, help="beams of the generative model's search")
    p.add_argument("--history-len", type=int, default=DEFAULT_HISTORY_LEN, help="SASRec's recent items")
    p.add_argument("--batch-size", type=int, default=256, help="training batch size, both models")
    p.add_argument("--train-steps", type=int, default=10, help="timed training steps per model and size")
    p.add_argument("--users", type=int, default=2048, help="test users ranked per model and size")
    p.add_argument("--eval-batch-size", type=int, default=256, help="users per ranking batch")
    p.add_argument("--threads", type=int, default=1, help="torch threads of each child process")
    p.add_argument("--seed", type=int, default=0, help="seed of the data, indexers and models")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds before one child is abandoned")
    p.add_argument("--out", type=Path, default=RESULTS / "catalog_scale.json", help="JSON result file")
    args = p.parse_args(argv)
    if min(args.sizes) < 100:
        p.error(f"--sizes: at least 100 items, got {min(args.sizes)}")
    child_args = {
        k: getattr(args, k)
        for k in (
            "preset",
            "beams",
            "history_len",
            "batch_size",
            "train_steps",
            "users",
            "eval_batch_size",
            "threads",
            "seed",
        )
    }

    rows: list[dict] = []

    def save() -> dict:
        result = {
            "benchmark": "catalog_scale",
            "args": child_args,
            "cpus": mp.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "rows": rows,
            "ratios": ratios(rows),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
        return result

    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            data = synthetic_interactions(size, args.seed)
            path = str(Path(tmp) / f"data_{size}.npz")
            np.savez(path, offsets=data.offsets, items=data.items, n_items=data.n_items)
            shape = {"items": size, "users": data.n_users, "interactions": len(data)}
            print(f"{size:,} items, {data.n_users:,} users, {len(data):,} interactions", flush=True)
            for name in args.indexers:
                rows.append(shape | {"part": f"index:{name}"} | run_one(path, name, args.seed, args.timeout))
                print("  ", rows[-1], flush=True)
                save()
            for model in args.models:
                rows.append(shape | {"part": model} | run_model(path, model, child_args, args.timeout))
                print("  ", rows[-1], flush=True)
                save()
    result = save()
    print_tables(rows)
    print(f"\nlargest / smallest size ({max(args.sizes):,} / {min(args.sizes):,} items):")
    for r in result["ratios"]:
        print(
            f"  {r['part']:<12} "
            + ", ".join(f"{k} {v:.2f}x" for k, v in r.items() if k not in ("part", "from_items", "to_items"))
        )
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
