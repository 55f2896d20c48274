"""Beam search on a CUDA device: the same items as on the CPU, no host-device sync per step, and
bf16 autocast. Marked `gpu`: deselected (and reported) where CUDA is absent, see tests/conftest.py.

    pytest -m gpu tests          # on the GPU machine
"""

import itertools

import numpy as np
import pytest
import torch

from datamodules.item_index import ItemIndex
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import EncoderDecoder, model_config
from lightlm.networks.tokens import PAD, TokenLayout

pytestmark = pytest.mark.gpu

CUDA = torch.device("cuda")


def _setup(n_users=64, seed=0):
    codes = np.array(list(itertools.product(range(5), range(7), range(6))))  # 210 items, depth 3
    index = ItemIndex(item_codes=codes, user_codes=np.arange(n_users)[:, None], indexer="test")
    layout = TokenLayout.from_index(index)
    torch.manual_seed(seed)
    cfg = model_config("small", dropout=0.0, max_tgt_len=layout.code_len, max_src_len=16)
    model = EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens).eval()
    with torch.no_grad():
        model.embed.weight.mul_(25)  # sharper distributions: fewer near-ties between devices
    g = torch.Generator().manual_seed(seed)
    hist = torch.randint(len(codes), (n_users, 2), generator=g)
    pad = torch.full((n_users, 1), PAD)
    src = torch.cat([layout.user_tokens, layout.item_tokens[hist].flatten(1), pad], 1)
    return model, PrefixTrie(layout.item_tokens, layout.local_index), layout, src


def _assert_same_ranking(items_a, scores_a, items_b, scores_b, tol=1e-4):
    """Identical ranked items, except where two scores tie within `tol` (summation order differs
    between devices, so an exact tie may break either way)."""
    items_a, items_b, scores_a, scores_b = (t.cpu() for t in (items_a, items_b, scores_a, scores_b))
    torch.testing.assert_close(scores_a, scores_b, rtol=0, atol=tol)
    gaps = (scores_a[:, 1:] - scores_a[:, :-1]).abs() <= tol
    tied = torch.zeros(items_a.shape, dtype=torch.bool)
    tied[:, 1:] |= gaps
    tied[:, :-1] |= gaps
    tied[:, -1] = True
    assert ((items_a == items_b) | tied).all()
    assert (items_a == items_b).all(1).float().mean() > 0.9  # ties are the exception


@pytest.mark.parametrize("one_token_source", [True, False])
def test_cpu_and_gpu_return_the_same_items(one_token_source):
    model, trie, layout, src = _setup()
    if one_token_source:
        src = layout.user_tokens
    cpu_items, cpu_scores = constrained_beam_search(model, src, trie, 20, 20)
    gpu_items, gpu_scores = constrained_beam_search(model.to(CUDA), src.to(CUDA), trie.to(CUDA), 20, 20)
    assert gpu_items.device.type == "cuda"
    _assert_same_ranking(cpu_items, cpu_scores, gpu_items, gpu_scores)


def test_beam_search_never_waits_for_the_device():
    """No .item(), .cpu() or data-dependent shape anywhere in the search: CUDA's sync debug mode
    turns any synchronising call into an error."""
    model, trie, _, src = _setup()
    model, trie, src = model.to(CUDA), trie.to(CUDA), src.to(CUDA)
    constrained_beam_search(model, src, trie, 20, 20)  # warm-up: lazy CUDA initialisation may sync
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        constrained_beam_search(model, src, trie, 20, 20)
    finally:
        torch.cuda.set_sync_debug_mode("default")


def test_bf16_autocast_on_gpu():
    model, trie, layout, src = _setup()
    model, trie, src = model.to(CUDA), trie.to(CUDA), src.to(CUDA)
    fp32_items, _ = constrained_beam_search(model, src, trie, 20, 20)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        items, scores = constrained_beam_search(model, src, trie, 20, 20)
    assert scores.dtype == torch.float32 and torch.isfinite(scores).all()
    assert all(len(set(row.tolist())) == 20 for row in items.cpu())
    # bf16 rounding may reorder close items, but the best item mostly survives
    assert (items[:, 0] == fp32_items[:, 0]).float().mean() > 0.5

