"""Where a generative model's likelihood goes: the loss of each decoding step, on training and on
validation targets, for one or more checkpoints of the same run (say its best and its last epoch).

The summed code loss hides which step overfits. This splits it: for each step (the code levels,
then the item step when `--model.last_step item`), the mean plain negative log-likelihood (no
label smoothing) of the target's token on seeded random training windows and on validation
users, and how often the target's token is the step's most probable one and among its 20 most
probable (what a 20-beam search can keep), each step teacher-forced on the true prefix. The model
and its index come from the checkpoint (`lightlm.checkpoints.load_recommender`, weights_only).

`--reference` takes a SASRec-CE checkpoint of the same data and reads the same figures off its
catalogue-wide softmax, under each generative checkpoint's own codes: a code node's probability
is the sum of its items' probabilities, a step's is the child's over its parent's, and ranks are
among the parent's children (for a first step, every first token, as for the generative model).
Side by side, they say which step the generative model loses against SASRec-CE on.

    python benchmarks/step_loss.py --data ../shared/data/beauty/data.txt \\
        --ckpt runs/beauty-items/checkpoints/best.ckpt runs/beauty-items/checkpoints/last.ckpt \\
        --reference runs/beauty-sasrec-windows/checkpoints/best.ckpt
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from datamodules.datamodule import RecDataModule
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError, LightLMError
from lightlm.checkpoints import load_recommender
from lightlm.generative import GenerativeRecommender, _teacher_input
from lightlm.sasrec import SASRec

BEAM = 20


def step_ranks(rec: GenerativeRecommender, states: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
    """(R, L) rank (0 = most probable) of each target token among its step's candidates, given the
    true prefix: the step's output tokens for code steps, the item step's candidates after it."""
    tgt = rec.item_tokens[items]
    n_code = rec.model.n_code_steps
    logits = rec.model.logits(states[:, :n_code], slice(0, n_code))  # (R, n_code, W)
    truth = logits.gather(2, rec.local_index[tgt[:, :n_code]][..., None])
    ranks = [(logits > truth).sum(-1)]
    if n_code < tgt.shape[1]:
        if rec.hparams.item_softmax == "catalogue":
            item_logits = rec.model.item_logits(states[:, -1])
            truth = item_logits.gather(1, items[:, None])
        else:
            parent = rec.trie.item_path[items, -2] if rec.trie.depth > 1 else torch.zeros_like(items)
            tokens, valid = rec.trie.child_tokens(parent, rec.trie.depth - 1)
            item_logits = rec.model.candidate_logits(states[:, -1], tokens).masked_fill(~valid, float("-inf"))
            truth = item_logits.gather(1, (tokens == tgt[:, -1:]).float().argmax(1, keepdim=True))
        ranks.append((item_logits > truth).sum(-1, keepdim=True))
    return torch.cat(ranks, 1)


def implied_steps(logits: torch.Tensor, items: torch.Tensor, item_path: torch.Tensor,
                  parent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A catalogue-wide softmax read as a code-by-code decoder over a trie.

    logits (R, n_items) of the targets items (R,); item_path (n_items, D) the trie node after
    each code token (the last is the item's leaf); parent (n_nodes,) each node's parent (root 0).
    Returns per-step NLL (R, D), -log p(node_d | node_{d-1}), and ranks (R, D) of the target's
    node among its parent's children by probability (0 = most probable)."""
    prob = torch.softmax(logits.double(), dim=1)
    n_nodes = len(parent)
    node_p = prob.new_zeros(len(prob), n_nodes)
    for d in range(item_path.shape[1]):
        node_p.index_add_(1, item_path[:, d], prob)  # depths hold distinct node ids: no overlap
    node_p[:, 0] = 1.0  # the root
    path = item_path[items]  # (R, D) the target's nodes
    rows = torch.arange(len(items))[:, None]
    truth = node_p[rows, path]  # (R, D)
    above = torch.cat([torch.ones_like(truth[:, :1]), truth[:, :-1]], 1)
    nll = (above.log() - truth.log()).float()
    siblings = parent[None, None, :] == parent[path][..., None]  # (R, D, n_nodes)
    ranks = (siblings & (node_p[:, None, :] > truth[..., None])).sum(-1)
    return nll, ranks


def picked_samples(ds, n: int, seed: int) -> list[np.ndarray]:
    """`n` seeded random sample numbers of a dataset, sorted, in batches of 256."""
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(ds), min(n, len(ds)), replace=False))
    return [picked[start : start + 256] for start in range(0, len(picked), 256)]


def figures(nll: list[torch.Tensor], ranks: list[torch.Tensor]) -> dict:
    nll, ranks = torch.cat(nll), torch.cat(ranks)
    return {
        "targets": len(nll),
        "nll": nll.mean(0).tolist(),
        "hit@1": (ranks == 0).float().mean(0).tolist(),
        f"hit@{BEAM}": (ranks < BEAM).float().mean(0).tolist(),
    }


@torch.no_grad()
def reference_report(ref: SASRec, ref_dm: RecDataModule, rec: GenerativeRecommender, stage: str,
                     n: int, seed: int) -> dict:
    """`split_report`'s figures for SASRec-CE `ref` under `rec`'s codes, on the same samples."""
    trie = rec.trie
    parent = torch.zeros(trie.n_nodes, dtype=torch.long)
    parent[0] = -1  # the root is nobody's sibling
    parent[trie.item_path[:, 1:].flatten()] = trie.item_path[:, :-1].flatten()
    nll, ranks = [], []
    ds = ref_dm.dataset(stage)
    for picked in picked_samples(ds, n, seed):
        # Row-major (window, position) targets, the order of GenerativeRecommender.window_states.
        logits, items = ref.target_logits(ds.__getitems__(picked.tolist()))
        step_nll, step_ranks_ = implied_steps(logits, items, trie.item_path, parent)
        nll.append(step_nll)
        ranks.append(step_ranks_)
    return figures(nll, ranks)


@torch.no_grad()
def split_report(rec: GenerativeRecommender, dm: RecDataModule, stage: str, n: int, seed: int) -> dict:
    """Per-step NLL, hit@1 and hit@20 over `n` seeded random samples of `stage` (fit or validate)."""
    ds = dm.dataset(stage)
    nll, ranks = [], []
    for picked in picked_samples(ds, n, seed):
        batch = ds.__getitems__(picked.tolist())
        if "targets" in batch:
            states, items, _ = rec.window_states(batch)
        else:
            items = batch["target"]
            memory, mask = rec.model.encode(rec.encoder_input(batch))
            tgt_in = _teacher_input(rec.item_tokens[items])
            start_states = rec.model.start_states(memory)
            states = rec.model.decode_states(rec.model.memory_kv(memory), mask, tgt_in, start=start_states)
        nll.append(rec.token_losses(states, items, smoothing=0.0))
        ranks.append(step_ranks(rec, states, items))
    return figures(nll, ranks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the data file the checkpoints were trained on")
    parser.add_argument("--ckpt", required=True, nargs="+", help="checkpoints of generative models")
    parser.add_argument("--history-len", type=int, default=20, help="as the checkpoints were trained")
    parser.add_argument("--samples", type=int, default=4096, help="training windows and validation users")
    parser.add_argument("--seed", type=int, default=0, help="seed of both draws")
    parser.add_argument("--reference",
                        help="a SASRec-CE checkpoint of the same data, read under each --ckpt's codes")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    for path in (args.data, *args.ckpt, *([args.reference] if args.reference else [])):
        if not Path(path).is_file():
            parser.error(f"no such file: {path}")
    results, reference = {}, {}
    try:
        ref, ref_dm = None, None
        if args.reference:
            ref_dm = data_module(args)
            ref = load_recommender(args.reference, ref_dm)
            if not isinstance(ref, SASRec):
                kind = type(ref).__name__
                raise ConfigError(f"--reference {args.reference}: holds a {kind}, not SASRec-CE")
        for ckpt in args.ckpt:
            dm = data_module(args)
            rec = load_recommender(ckpt, dm)
            if not isinstance(rec, GenerativeRecommender):
                kind = type(rec).__name__
                raise ConfigError(f"--ckpt {ckpt}: holds a {kind}, not the generative model")
            results[ckpt] = {
                s: split_report(rec, dm, s, args.samples, args.seed) for s in ("fit", "validate")
            }
            if ref is not None:
                reference[ckpt] = {
                    s: reference_report(ref, ref_dm, rec, s, args.samples, args.seed)
                    for s in ("fit", "validate")
                }
    except LightLMError as e:
        raise SystemExit(f"step_loss: {e}") from None
    for ckpt, splits in results.items():
        print(ckpt)
        print_table(splits)
        if ckpt in reference:
            print(f"  {args.reference}, read under these codes")
            print_table(reference[ckpt])
    if args.json:
        out = {"data": args.data, "samples": args.samples, "seed": args.seed, "checkpoints": results}
        if args.reference:
            out |= {"reference": args.reference, "reference_under_codes": reference}
        Path(args.json).write_text(json.dumps(out, indent=1))


def data_module(args) -> RecDataModule:
    return RecDataModule(indexer=SequentialIndexer(), path=args.data, task="sequential",
                         history_len=args.history_len, train_windows=True)


def print_table(splits: dict) -> None:
    steps = len(splits["fit"]["nll"])
    print(f"  {'step':<6} {'train nll':>9} {'val nll':>8} {'train hit@1':>11} {'val hit@1':>9} "
          f"{'train hit@20':>12} {'val hit@20':>10}")
    for k in range(steps):
        f, v = splits["fit"], splits["validate"]
        print(f"  {k:<6} {f['nll'][k]:9.3f} {v['nll'][k]:8.3f} {f['hit@1'][k]:11.3f} "
              f"{v['hit@1'][k]:9.3f} {f[f'hit@{BEAM}'][k]:12.3f} {v[f'hit@{BEAM}'][k]:10.3f}")


if __name__ == "__main__":
    main()
