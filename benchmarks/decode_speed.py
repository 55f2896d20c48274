"""Decode speed: the kit's tensor beam search against the paper's dict-trie beam search, same weights.

Both decoders run the same `EncoderDecoder` with the same weights on the same users and must
return the same ranked items. They differ in what the paper's code did and the kit does not:

* reference (HF `generate` with `prefix_allowed_tokens_fn`, as in the LightLM code): the encoder
  output is copied per beam, every beam runs every step, the decoder's self-attention cache is
  reordered (copied) after every step, and the constraint is a Python function called once per
  beam per step that walks a nested-dict trie from the root and returns the allowed tokens, applied
  as a -inf mask row on the step's log-softmax. (HF's BeamSearchScorer, another Python loop per
  candidate, is left out: the reference gets plain top-k, which only flatters it.)
* kit (`lightlm.decoding.beam_search.constrained_beam_search`): CSR trie on tensors, candidates of all beams
  of all users in a few gathers per step, only as many beams per step as can be alive, beams as
  queries against per-user cross-attention keys/values, a self-attention cache that is never copied.

Prints users/s of each, their ratio, the share of decode time spent on the constraint (kit:
the `constraint` profiler range; reference: the Python mask building), and the kit's achieved
GFLOP/s (counted matmul FLOPs, `lightlm.networks.flops`) against a large matmul timed in the same process,
as a table and as JSON under benchmarks/results/.

With `--ckpt` the model, its shape and its item index all come from the checkpoint (loaded with
weights_only=True, as `lightlm test` does); without it, a randomly initialised model over a
sequential index (`--base`) is decoded. Speed does not depend on the weights but does depend on
the trie's shape: `conf/beauty.yaml` trains co-SCI codes, so time those with its checkpoint.

    python benchmarks/decode_speed.py                                    # Beauty, small, sequential
    python benchmarks/decode_speed.py --preset lightlm --users 2048       # the paper's shape
    python benchmarks/decode_speed.py --device cuda --precision bf16      # on a GPU
    python benchmarks/decode_speed.py --ckpt runs/beauty/checkpoints/best.ckpt   # trained, co-SCI
"""

from __future__ import annotations

import os

# OpenMP threads spin while they wait unless told not to, which starves other threads on a shared
# CPU; the setting counts only if it is made before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import math
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from lightning.pytorch.utilities import move_data_to_device

from datamodules.datamodule import RecDataModule
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError, LightLMError
from lightlm.checkpoints import load_recommender
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.generative import GenerativeRecommender
from lightlm.networks.encoder_decoder import EncoderDecoder
from lightlm.networks.flops import counted_flops, matmul_peak_gflops
from lightlm.networks.tokens import BOS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beauty" / "data.txt"
RESULTS = ROOT / "benchmarks" / "results"


# ---- the reference: a Python dict trie consulted per beam per step ----------------------------
class DictTrie:
    """The paper's constraint structure (GENRE/LightLM `Trie`): nested dicts of token -> subtree."""

    def __init__(self, sequences: list[list[int]]) -> None:
        self.root: dict = {}
        for seq in sequences:
            node = self.root
            for tok in seq:
                node = node.setdefault(tok, {})

    def get(self, prefix: list[int]) -> list[int]:
        """Tokens allowed after `prefix` (walked from the root on every call, as the original)."""
        node = self.root
        for tok in prefix:
            node = node.get(tok)
            if node is None:
                return []
        return list(node.keys())


@dataclass
class ReferenceClock:
    constraint: float = 0.0  # seconds in prefix_allowed_tokens_fn + mask building


def reference_trie(columns: torch.Tensor) -> tuple[DictTrie, dict[tuple[int, ...], int]]:
    """Dict trie over [BOS] + each item's output columns, and code -> item.

    The kit's output layer at step t covers level t's tokens only, so a token is named by its column
    there; a trie over columns is the trie over tokens, renamed.
    """
    codes = columns.tolist()
    return DictTrie([[BOS, *c] for c in codes]), {tuple(c): i for i, c in enumerate(codes)}


def _reference_step(model: EncoderDecoder, token, pos, memory_kv, mask, past):
    """A straightforward cached decoder step over all B*K rows (T5 in HF, in this model's modules)."""
    x = model.embed(token)[:, None, :] + model.tgt_pos.weight[pos]  # (N, 1, C)
    present = []
    for i, block in enumerate(model.decoder):
        h = block.norm1(x)
        k, v = block.self_attn.keys_values(h)
        if past is not None:
            k, v = torch.cat([past[i][0], k], dim=2), torch.cat([past[i][1], v], dim=2)
        present.append((k, v))
        x = x + block.self_attn.attend(h, k, v)
        x = x + block.cross_attn.attend(block.norm2(x), *memory_kv[i], mask=mask)
        x = x + block.ff(block.norm3(x))
    return model.logits(x, slice(pos, pos + 1))[:, 0], present


@torch.no_grad()
def reference_beam_search(model, src, trie: DictTrie, item_of, num_beams=20, top_k=20, clock=None):
    """HF-style constrained beam search; same contract as `constrained_beam_search`."""
    B, K, device = src.shape[0], num_beams, src.device
    depth = len(next(iter(item_of)))
    memory, mask = model.encode(src)
    memory, mask = memory.repeat_interleave(K, 0), mask.repeat_interleave(K, 0)  # per beam, as HF
    memory_kv = model.memory_kv(memory)
    beam_scores = torch.full((B, K), -math.inf, device=device)
    beam_scores[:, 0] = 0.0
    beam_scores = beam_scores.view(-1)
    input_ids = torch.full((B * K, 1), BOS, dtype=torch.long, device=device)  # columns after BOS
    past = None
    for step in range(depth):
        last = input_ids[:, -1]
        token = last if step == 0 else model.step_tokens[step - 1][last]
        logits, past = _reference_step(model, token, step, memory_kv, mask, past)
        logp = logits.float().log_softmax(-1)  # (B*K, W)
        start = time.perf_counter()
        # transformers' PrefixConstrainedLogitsProcessor with LightLM's prefix_allowed_tokens_fn
        constraint = torch.full_like(logp, -math.inf)
        for batch_id, beam_sent in enumerate(input_ids.view(B, K, -1)):
            for beam_id, sent in enumerate(beam_sent):
                constraint[batch_id * K + beam_id, trie.get(sent.tolist())] = 0
        logp = logp + constraint
        if clock is not None:
            if device.type == "cuda":
                torch.cuda.synchronize()
            clock.constraint += time.perf_counter() - start
        W = logp.shape[1]
        beam_scores, flat = (logp + beam_scores[:, None]).view(B, K * W).topk(K, dim=1)
        beam_idx = (torch.arange(B, device=device)[:, None] * K + flat // W).view(-1)
        input_ids = torch.cat([input_ids[beam_idx], (flat % W).view(-1, 1)], dim=1)
        beam_scores = beam_scores.view(-1)
        past = [(k.index_select(0, beam_idx), v.index_select(0, beam_idx)) for k, v in past]
    items = [item_of.get(tuple(seq), -1) for seq in input_ids[:, 1:].tolist()]
    items = torch.tensor(items, device=device).view(B, K)
    scores = beam_scores.view(B, K)
    items = items.masked_fill(torch.isinf(scores), -1)
    return items[:, :top_k], scores[:, :top_k]


# ---- comparing rankings -------------------------------------------------------------------------
def compare_rankings(items_a, scores_a, items_b, scores_b, tol: float = 1e-4) -> dict[str, int]:
    """Rows with identical ranked items; rows that differ only where scores tie within `tol`
    (two decoders summing the same log-probabilities in another order may swap exact ties); bad rows.
    """
    items_a, items_b = items_a.cpu(), items_b.cpu()
    scores_a, scores_b = scores_a.float().cpu(), scores_b.float().cpu()
    same = (items_a == items_b).all(1)
    close = ((scores_a - scores_b).abs() <= tol) | (torch.isinf(scores_a) & torch.isinf(scores_b))
    # A position may differ when its score ties a neighbour's, or is the last (a tie with the next).
    gaps = (scores_a[:, 1:] - scores_a[:, :-1]).abs() <= tol
    tied = torch.zeros(items_a.shape, dtype=torch.bool)
    tied[:, 1:] |= gaps
    tied[:, :-1] |= gaps
    tied[:, -1] = True
    explained = ((items_a == items_b) | tied).all(1) & close.all(1)
    return {
        "identical": int(same.sum()),
        "tie_swaps": int((~same & explained).sum()),
        "mismatched": int((~explained).sum()),
    }


# ---- setup and timing -------------------------------------------------------------------------
def load_model(args) -> tuple[GenerativeRecommender, RecDataModule]:
    """The checkpoint's model and index (`--ckpt`), or a fresh model over a sequential index."""
    torch.manual_seed(args.seed)
    path = None if args.data == "synthetic" else args.data
    task = "sequential" if args.history_len else "direct"
    if args.ckpt:
        dm = RecDataModule(indexer=SequentialIndexer(), path=path, task=task, history_len=args.history_len)
        rec = load_recommender(args.ckpt, dm)
        if not isinstance(rec, GenerativeRecommender):
            raise ConfigError(
                f"--ckpt {args.ckpt}: holds a {type(rec).__name__}; decode_speed decodes the generative model"
            )
        if args.preset not in (None, rec.hparams.preset):
            raise ConfigError(
                f"--preset {args.preset}: the checkpoint {args.ckpt} is a {rec.hparams.preset} model"
            )
    else:
        dm = RecDataModule(path=path, indexer=SequentialIndexer(base=args.base), task=task,
                           history_len=args.history_len, cache_dir=args.cache_dir)
        dm.setup("test")
        rec = GenerativeRecommender(
            preset=args.preset or "small", dropout=0.0, num_beams=args.beams, top_k=args.beams
        )
        rec.attach(dm.index, dm.split, dm.history_len)
    return rec.eval().to(args.device), dm


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _autocast(args):
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32
    return torch.autocast(args.device.type, dtype=dtype, enabled=args.precision == "bf16")


def run_kit(rec, batches, args):
    trie = rec.trie.to(args.device)
    out = []
    with torch.no_grad(), _autocast(args):
        for src in batches:
            out.append(constrained_beam_search(rec.model, src, trie, args.beams, args.beams))
    _sync(args.device)
    return torch.cat([o[0] for o in out]), torch.cat([o[1] for o in out])


def run_reference(rec, batches, trie, item_of, args, clock=None):
    out = []
    with torch.no_grad(), _autocast(args):
        for src in batches:
            out.append(reference_beam_search(rec.model, src, trie, item_of, args.beams, args.beams, clock))
    _sync(args.device)
    return torch.cat([o[0] for o in out]), torch.cat([o[1] for o in out])


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def kit_constraint_share(rec, batches, args, show: bool = False) -> float:
    """Share of the kit's decode time inside its `constraint` ranges (profiler; device time on GPU).
    With `show`, prints the profile's top operators: where the decode time goes."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile, record_function

    cuda = args.device.type == "cuda"
    with profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])) as prof:
        with record_function("decode"):
            run_kit(rec, batches, args)
    if show:
        sort = "self_device_time_total" if cuda else "self_cpu_time_total"
        print(prof.key_averages().table(sort_by=sort, row_limit=25))
    # The host-side ranges; on a GPU their device time is that of the kernels launched inside.
    attr = "device_time_total" if cuda else "cpu_time_total"
    ranges = [e for e in prof.events() if e.device_type == DeviceType.CPU]
    constraint = sum(getattr(e, attr) for e in ranges if e.name == "constraint")
    decode = sum(getattr(e, attr) for e in ranges if e.name == "decode")
    return constraint / max(decode, 1e-9)


def check_inputs(parser: argparse.ArgumentParser, args) -> None:
    """Refuse a missing data file or checkpoint before any work (never measure other data quietly)."""
    if args.data != "synthetic" and not Path(args.data).is_file():
        parser.error(f"--data: no file {args.data} (pass --data synthetic for the embedded synthetic data)")
    if args.ckpt and not Path(args.ckpt).is_file():
        parser.error(f"--ckpt: no checkpoint at {args.ckpt}")
    if args.history_len < 0:
        parser.error(f"--history-len must be at least 0, got {args.history_len}")
    if args.peak_size is not None and args.peak_size < 1:
        parser.error(f"--peak-size must be at least 1, got {args.peak_size}")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(DEFAULT_DATA), help="P5 data.txt, or 'synthetic'")
    p.add_argument(
        "--preset", default=None, help="tiny, small (default), lightlm, t5-small; --ckpt: the checkpoint's"
    )
    p.add_argument("--ckpt", default=None, help="a `lightlm fit` checkpoint: its model, weights, item index")
    p.add_argument("--history-len", type=int, default=0,
                   help="recent items in the input (--data.task sequential); 0: the direct task")
    p.add_argument("--base", type=int, default=100, help="sequential indexer base, without --ckpt")
    p.add_argument("--users", type=int, default=0, help="test users decoded by the kit (0: all)")
    p.add_argument("--ref-users", type=int, default=200, help="users decoded by the reference too")
    p.add_argument("--beams", type=int, default=20, help="beams, and items returned per user")
    p.add_argument("--batch-size", type=int, default=1024, help="users per batch, both decoders")
    p.add_argument("--reps", type=int, default=3, help="timed repetitions, interleaved; medians reported")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="bf16: autocast")
    p.add_argument("--profile", action="store_true", help="print the kit's top operators (profiler)")
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--cache-dir", default=".lightlm_cache", help="where the fitted index is cached")
    p.add_argument("--peak-size", type=int, default=None,
                   help="n of the n x n matmul that measures the machine's peak (default: 2048 on a CPU, "
                        "8192 on a GPU; a CPU without native bf16 takes seconds per 2048 matmul in bf16)")
    p.add_argument("--out", default=None, help="JSON result file (default benchmarks/results/...)")
    args = p.parse_args(argv)
    args.device = torch.device(args.device)
    check_inputs(p, args)

    rec, dm = load_model(args)
    args.preset = rec.hparams.preset
    ds = dm.dataset("test")
    n = len(ds) if args.users <= 0 else min(args.users, len(ds))
    n_ref = min(args.ref_users, n)

    def batches(count: int) -> list[torch.Tensor]:
        bs = args.batch_size
        # The samples go where the model is: encoder_input indexes its token tables.
        samples = (ds.__getitems__(list(range(i, min(count, i + bs)))) for i in range(0, count, bs))
        return [rec.encoder_input(move_data_to_device(b, args.device)) for b in samples]

    kit_batches, ref_batches = batches(n), batches(n_ref)
    dict_trie, item_of = reference_trie(rec.local_index[rec.item_tokens].cpu())
    print(
        f"decode_speed: {args.preset} ({sum(p.numel() for p in rec.model.parameters()) / 1e6:.1f}M params), "
        f"{n} users (reference: {n_ref}), {args.beams} beams, code length {rec.trie.depth}, "
        f"{args.device} {args.precision}, {torch.get_num_threads()} threads",
        flush=True,
    )

    # Warm-up doubles as the correctness check: same ranked items on the reference's users.
    kit_items, kit_scores = run_kit(rec, kit_batches, args)
    ref_items, ref_scores = run_reference(rec, ref_batches, dict_trie, item_of, args)
    check = compare_rankings(kit_items[:n_ref], kit_scores[:n_ref], ref_items, ref_scores)
    if args.precision == "fp32":
        assert check["mismatched"] == 0, f"kit and reference rank differently: {check}"
    elif check["mismatched"]:  # bf16 rounds the two decoders' different sums differently
        print(f"bf16: {check['mismatched']} of {n_ref} rows ranked differently by kit and reference")

    kit_t, ref_t, kit_cpu, ref_cpu, ref_share = [], [], [], [], []
    for _ in range(args.reps):
        _, wall, cpu = timed(lambda: run_kit(rec, kit_batches, args))
        kit_t.append(wall / n)
        kit_cpu.append(cpu / n)
        clock = ReferenceClock()
        _, wall, cpu = timed(lambda c=clock: run_reference(rec, ref_batches, dict_trie, item_of, args, c))
        ref_t.append(wall / n_ref)
        ref_cpu.append(cpu / n_ref)
        ref_share.append(clock.constraint / wall)
    kit_share = kit_constraint_share(rec, kit_batches[:2], args, args.profile)
    # FLOPs per user from the first batch; the peak from a matmul in this process, same threads.
    flops_per_user = counted_flops(lambda: run_kit(rec, kit_batches[:1], args)) / len(kit_batches[0])
    peak = matmul_peak_gflops(args.device, torch.bfloat16 if args.precision == "bf16" else torch.float32,
                              n=args.peak_size)

    med = statistics.median
    result = {
        "benchmark": "decode_speed",
        "preset": args.preset,
        "params": sum(p.numel() for p in rec.model.parameters()),
        "device": str(args.device),
        "precision": args.precision,
        "threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "data": args.data,
        "ckpt": args.ckpt,
        "users": n,
        "ref_users": n_ref,
        "beams": args.beams,
        "batch_size": args.batch_size,
        "code_len": rec.trie.depth,
        "kit_users_per_s": 1 / med(kit_t),
        "ref_users_per_s": 1 / med(ref_t),
        "speedup": med(ref_t) / med(kit_t),
        "kit_cpu_ms_per_user": 1e3 * med(kit_cpu),
        "ref_cpu_ms_per_user": 1e3 * med(ref_cpu),
        "speedup_cpu_time": med(ref_cpu) / med(kit_cpu),
        "kit_constraint_share": kit_share,
        "ref_constraint_share": med(ref_share),
        "kit_seconds_all_test_users": len(ds) * med(kit_t),
        "kit_gflop_per_user": flops_per_user / 1e9,
        "kit_gflops": flops_per_user / med(kit_t) / 1e9,
        "matmul_peak_gflops": peak,
        "kit_peak_fraction": flops_per_user / med(kit_t) / 1e9 / peak,
        "check": check,
    }
    print(f"{'decoder':<10} {'users/s':>10} {'cpu ms/user':>12} {'constraint':>11} {'GFLOP/s':>9}")
    print(
        f"{'kit':<10} {result['kit_users_per_s']:>10.1f} {result['kit_cpu_ms_per_user']:>12.3f} "
        f"{kit_share:>10.1%} {result['kit_gflops']:>9.1f}"
    )
    print(
        f"{'reference':<10} {result['ref_users_per_s']:>10.1f} {result['ref_cpu_ms_per_user']:>12.3f} "
        f"{result['ref_constraint_share']:>10.1%}"
    )
    print(
        f"speedup {result['speedup']:.1f}x wall, {result['speedup_cpu_time']:.1f}x CPU time; "
        f"same ranked items: {check['identical']}/{n_ref} rows identical, {check['tie_swaps']} differ only "
        f"in score ties; all {len(ds)} test users would take {result['kit_seconds_all_test_users']:.1f} s"
    )
    print(
        f"kit arithmetic: {result['kit_gflop_per_user'] * 1e3:.2f} MFLOP/user (counted matmuls), "
        f"{result['kit_gflops']:.1f} GFLOP/s against a measured {args.precision} matmul peak of {peak:.1f} "
        f"GFLOP/s ({torch.get_num_threads()} threads): {result['kit_peak_fraction']:.1%} of peak"
    )
    name = f"decode_speed_{args.preset}_{args.device.type}_{args.precision}.json"
    out = Path(args.out) if args.out else RESULTS / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    try:
        main()
    except LightLMError as e:  # a bad checkpoint or option: one line, as the CLI does
        print(f"decode_speed: error: {e}", file=sys.stderr)
        sys.exit(2)
