"""Constrained beam search against brute force on a tiny random model."""

import itertools

import numpy as np
import pytest
import torch

from datamodules.item_index import ItemIndex
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import EncoderDecoder, model_config
from lightlm.networks.tokens import BOS, TokenLayout


def _layout(item_codes, n_users=3):
    index = ItemIndex(
        item_codes=np.asarray(item_codes, dtype=np.int64),
        user_codes=np.arange(n_users)[:, None],
        indexer="test",
    )
    return TokenLayout.from_index(index)


def _model(layout, **overrides):
    cfg = model_config("tiny", **overrides)
    return EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens).eval()


def _trie(layout):
    return PrefixTrie(layout.item_tokens, layout.local_index)


def _code_logprob(model, src, layout):
    """Teacher-forced total log-probability of every item for every source row: (B, n_items)."""
    B, n = src.shape[0], len(layout.item_tokens)
    tgt = layout.item_tokens.repeat(B, 1)
    tgt_in = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], 1)
    logp = model(src.repeat_interleave(n, 0), tgt_in).log_softmax(-1)
    return logp.gather(2, layout.local_index[tgt][..., None]).squeeze(-1).sum(1).view(B, n)


# Variable-length codes (EOS-padded) with uneven branching exercise every part of the trie.
CODES = [[0, 0, 0], [0, 0, 1], [0, 1, -1], [1, 0, 0], [1, 0, 1], [1, 0, 2], [2, -1, -1], [1, 1, -1]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_beam_returns_brute_force_ranking(seed):
    torch.manual_seed(seed)
    layout = _layout(CODES)
    model = _model(layout, dropout=0.0, max_tgt_len=3).eval()
    src = layout.user_tokens
    items, scores = constrained_beam_search(model, src, _trie(layout), num_beams=8, top_k=8)
    with torch.no_grad():
        brute = _code_logprob(model, src, layout)
    expected_scores, expected_items = brute.sort(1, descending=True)
    assert torch.equal(items, expected_items)
    torch.testing.assert_close(scores, expected_scores, rtol=1e-4, atol=1e-5)


def test_every_output_is_a_distinct_real_item_with_narrow_beam():
    torch.manual_seed(3)
    codes = np.array(list(itertools.product(range(4), range(3), range(5))))  # 60 items
    layout = _layout(codes, n_users=7)
    model = _model(layout, max_tgt_len=3).eval()
    items, _ = constrained_beam_search(model, layout.user_tokens, _trie(layout), 10, 10)
    assert items.shape == (7, 10)
    assert ((items >= 0) & (items < 60)).all()
    assert all(len(set(row.tolist())) == 10 for row in items)


def test_fewer_items_than_beams_pads_with_minus_one():
    layout = _layout([[0], [1], [2]])
    model = _model(layout, max_tgt_len=1).eval()
    items, scores = constrained_beam_search(model, layout.user_tokens, _trie(layout), 5, 5)
    assert sorted(items[0, :3].tolist()) == [0, 1, 2]
    assert (items[:, 3:] == -1).all() and torch.isinf(scores[:, 3:]).all()


def test_exclusion_is_applied_inside_the_search():
    torch.manual_seed(4)
    layout = _layout(CODES)
    model = _model(layout, max_tgt_len=3).eval()
    trie = _trie(layout)
    full, _ = constrained_beam_search(model, layout.user_tokens, trie, 8, 8)
    banned = full[:, :2]  # each user's two best items
    users = torch.arange(3)
    keys = (users[:, None] * len(CODES) + banned).flatten().sort().values
    items, _ = constrained_beam_search(
        model, layout.user_tokens, trie, 8, 6, exclude=(keys, users, len(CODES))
    )
    assert torch.equal(items, full[:, 2:8])


def test_trie_children_match_codes():
    layout = _layout(CODES)
    trie = _trie(layout)
    tok, _, node, valid = trie.children(torch.tensor([0]), 0)
    assert sorted(tok[valid].tolist()) == sorted({int(t) for t in layout.item_tokens[:, 0]})
    only_tok, only_valid = trie.child_tokens(torch.tensor([0]), 0)
    assert torch.equal(only_tok, tok) and torch.equal(only_valid, valid)
    assert trie.depth == 3 and (trie.leaf_item >= 0).sum() == len(CODES)
