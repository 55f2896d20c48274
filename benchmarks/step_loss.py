"""Where a generative model's likelihood goes: the loss of each decoding step, on training and on
validation targets, for one or more checkpoints of the same run (say its best and its last epoch).

The summed code loss hides which step overfits. This splits it: for each step (the code levels,
then the item step when `--model.last_step item`), the mean plain negative log-likelihood (no
label smoothing) of the target's token on seeded random training windows and on validation
users, and how often the target's token is the step's most probable one and among its 20 most
probable (what a 20-beam search can keep), each step teacher-forced on the true prefix. The model
and its index come from the checkpoint (`lightlm.checkpoints.load_recommender`, weights_only).

    python benchmarks/step_loss.py --data ../shared/data/beauty/data.txt \\
        --ckpt runs/beauty-items/checkpoints/best.ckpt runs/beauty-items/checkpoints/last.ckpt
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
            tokens, _, _, valid = rec.trie.children(parent, rec.trie.depth - 1)
            item_logits = rec.model.candidate_logits(states[:, -1], tokens).masked_fill(~valid, float("-inf"))
            truth = item_logits.gather(1, (tokens == tgt[:, -1:]).float().argmax(1, keepdim=True))
        ranks.append((item_logits > truth).sum(-1, keepdim=True))
    return torch.cat(ranks, 1)


@torch.no_grad()
def split_report(rec: GenerativeRecommender, dm: RecDataModule, stage: str, n: int, seed: int) -> dict:
    """Per-step NLL, hit@1 and hit@20 over `n` seeded random samples of `stage` (fit or validate)."""
    ds = dm.dataset(stage)
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(ds), min(n, len(ds)), replace=False))
    nll, ranks = [], []
    for start in range(0, len(picked), 256):
        batch = ds.__getitems__(picked[start : start + 256].tolist())
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
    nll, ranks = torch.cat(nll), torch.cat(ranks)
    return {
        "targets": len(nll),
        "nll": nll.mean(0).tolist(),
        "hit@1": (ranks == 0).float().mean(0).tolist(),
        f"hit@{BEAM}": (ranks < BEAM).float().mean(0).tolist(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the data file the checkpoints were trained on")
    parser.add_argument("--ckpt", required=True, nargs="+", help="checkpoints of generative models")
    parser.add_argument("--history-len", type=int, default=20, help="as the checkpoints were trained")
    parser.add_argument("--samples", type=int, default=4096, help="training windows and validation users")
    parser.add_argument("--seed", type=int, default=0, help="seed of both draws")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    for path in (args.data, *args.ckpt):
        if not Path(path).is_file():
            parser.error(f"no such file: {path}")
    torch.set_grad_enabled(False)
    results = {}
    try:
        for ckpt in args.ckpt:
            dm = RecDataModule(indexer=SequentialIndexer(), path=args.data, task="sequential",
                               history_len=args.history_len, train_windows=True)
            rec = load_recommender(ckpt, dm)
            if not isinstance(rec, GenerativeRecommender):
                kind = type(rec).__name__
                raise ConfigError(f"--ckpt {ckpt}: holds a {kind}, not the generative model")
            results[ckpt] = {
                s: split_report(rec, dm, s, args.samples, args.seed) for s in ("fit", "validate")
            }
    except LightLMError as e:
        raise SystemExit(f"step_loss: {e}") from None
    for ckpt, splits in results.items():
        steps = len(splits["fit"]["nll"])
        print(ckpt)
        print(f"  {'step':<6} {'train nll':>9} {'val nll':>8} {'train hit@1':>11} {'val hit@1':>9} "
              f"{'train hit@20':>12} {'val hit@20':>10}")
        for k in range(steps):
            f, v = splits["fit"], splits["validate"]
            print(f"  {k:<6} {f['nll'][k]:9.3f} {v['nll'][k]:8.3f} {f['hit@1'][k]:11.3f} "
                  f"{v['hit@1'][k]:9.3f} {f[f'hit@{BEAM}'][k]:12.3f} {v[f'hit@{BEAM}'][k]:10.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"data": args.data, "samples": args.samples,
                                               "seed": args.seed, "checkpoints": results}, indent=1))


if __name__ == "__main__":
    main()
