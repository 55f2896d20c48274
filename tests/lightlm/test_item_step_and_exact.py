"""The item-level last step and the exact scorer, against brute force on tiny random models.

Brute force here teacher-forces every item's whole token sequence through the network's public
pieces (`decode_states`, `logits`, `item_logits`) and normalises the item step by comparing
prefixes directly, without the trie: the scorer and beam search must agree with it.
"""

import numpy as np
import pytest
import torch

from datamodules.item_index import ItemIndex
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.decoding.exact import exact_log_probs, exact_top_k
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import EncoderDecoder, model_config
from lightlm.networks.tokens import BOS, TokenLayout

# Irregular codes: levels of different widths, nodes with one to four children, and a node
# whose spare candidate slots reach into the next level's edges.
CODES = np.asarray(
    [
        [0, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
        [1, 0, 0],
        [1, 0, 1],
        [1, 0, 2],
        [1, 0, 3],
        [1, 2, 0],
        [2, 0, 0],
        [2, 1, 0],
        [2, 1, 1],
        [2, 2, 0],
        [3, 0, 0],
    ]
)
LAYOUTS = [
    ("code", None, "catalogue", "bos"),
    ("item", 2, "catalogue", "bos"),
    ("item", 2, "siblings", "bos"),
    ("item", 1, "siblings", "bos"),
    ("item", 1, "catalogue", "bos"),
    ("code", None, "catalogue", "newest"),
    ("item", 1, "siblings", "newest"),
]


def _setup(last_step, prefix_len, softmax, decoder_start="bos", n_users=4):
    torch.manual_seed(0)
    index = ItemIndex(item_codes=CODES, user_codes=np.arange(n_users)[:, None], indexer="test")
    layout = TokenLayout.from_index(index, item_step=last_step == "item", prefix_len=prefix_len)
    cfg = model_config(
        "tiny", max_src_len=1, max_tgt_len=layout.code_len, dropout=0.0, decoder_start=decoder_start
    )
    items = (layout.item_token_start, len(CODES)) if layout.item_step else None
    model = EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens, items, softmax).eval()
    return layout, model, PrefixTrie(layout.item_tokens, layout.local_index)


def _brute_force(layout, model, softmax, prefix_weight=1.0):
    """(B, n_items) total log-probability of each item's tokens, one teacher-forced row per item;
    with `prefix_weight`, every step before the last counts that many times."""
    src, tokens = layout.user_tokens, layout.item_tokens
    n, L = tokens.shape
    out = torch.zeros(len(src), n)
    tgt_in = torch.cat([torch.full((n, 1), BOS), tokens[:, :-1]], 1)
    for u in range(len(src)):
        memory, mask = model.encode(src[u : u + 1].expand(n, -1))
        states = model.decode_states(model.memory_kv(memory), mask, tgt_in, start=model.start_states(memory))
        for t in range(L):
            if t < model.n_code_steps:
                logp = model.logits(states[:, t : t + 1], slice(t, t + 1))[:, 0].log_softmax(-1)
                weight = prefix_weight if t < L - 1 else 1.0
                out[u] += weight * logp.gather(1, layout.local_index[tokens[:, t : t + 1]])[:, 0]
                continue
            logits = model.item_logits(states[:, t])  # (n, n_items): row i scores every item
            if softmax == "siblings":  # normalised over the items that share row i's prefix
                same = (tokens[:, None, :t] == tokens[None, :, :t]).all(-1)
                logits = logits.masked_fill(~same, float("-inf"))
            out[u] += logits.log_softmax(-1).diagonal()
    return out


@pytest.mark.parametrize("last_step,prefix_len,softmax,decoder_start", LAYOUTS)
def test_exact_scores_equal_brute_force(last_step, prefix_len, softmax, decoder_start):
    layout, model, trie = _setup(last_step, prefix_len, softmax, decoder_start)
    with torch.no_grad():
        want = _brute_force(layout, model, softmax)
        got = exact_log_probs(model, layout.user_tokens, trie)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    if softmax == "siblings":  # the item step is a distribution over each prefix's items
        assert not torch.allclose(want, _brute_force(layout, model, "catalogue"))


@pytest.mark.parametrize("last_step,prefix_len,softmax,decoder_start", LAYOUTS)
@pytest.mark.parametrize("prefix_weight", [0.5, 2.0])
def test_prefix_weight_scales_every_step_but_the_last(
    last_step, prefix_len, softmax, decoder_start, prefix_weight
):
    layout, model, trie = _setup(last_step, prefix_len, softmax, decoder_start)
    model.prefix_weight = prefix_weight
    n = len(CODES)
    with torch.no_grad():
        want = _brute_force(layout, model, softmax, prefix_weight)
        got = exact_log_probs(model, layout.user_tokens, trie)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(want, _brute_force(layout, model, softmax))  # the weight does something
    items, scores = constrained_beam_search(model, layout.user_tokens, trie, num_beams=n, top_k=n)
    exact_items, exact_scores = exact_top_k(model, layout.user_tokens, trie, top_k=n)
    torch.testing.assert_close(scores, exact_scores, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(scores, got.gather(1, items), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("last_step,prefix_len,softmax,decoder_start", LAYOUTS)
def test_beam_search_with_enough_beams_is_exact(last_step, prefix_len, softmax, decoder_start):
    layout, model, trie = _setup(last_step, prefix_len, softmax, decoder_start)
    n = len(CODES)
    items, scores = constrained_beam_search(model, layout.user_tokens, trie, num_beams=n, top_k=n)
    exact_items, exact_scores = exact_top_k(model, layout.user_tokens, trie, top_k=n)
    torch.testing.assert_close(scores, exact_scores, atol=1e-5, rtol=1e-5)
    assert (items >= 0).all() and all(len(set(r.tolist())) == n for r in items)
    # Few beams: each returned score is that item's exact score, never above the exact top.
    few, few_scores = constrained_beam_search(model, layout.user_tokens, trie, num_beams=3, top_k=3)
    full = exact_log_probs(model, layout.user_tokens, trie)
    torch.testing.assert_close(few_scores, full.gather(1, few), atol=1e-5, rtol=1e-5)
    assert (few_scores <= exact_scores[:, :3] + 1e-5).all()


def test_item_step_layout_appends_the_item_token():
    index = ItemIndex(item_codes=CODES, user_codes=np.arange(2)[:, None], indexer="test")
    layout = TokenLayout.from_index(index, item_step=True, prefix_len=2)
    plain = TokenLayout.from_index(index)
    assert layout.item_tokens.shape == (len(CODES), 3)
    # The prefix is the plain layout's first two levels; the last token is the item's own.
    torch.testing.assert_close(layout.item_tokens[:, :2], plain.item_tokens[:, :2])
    assert layout.item_tokens[:, 2].tolist() == [layout.item_token_start + i for i in range(len(CODES))]
    assert layout.vocab_size == layout.item_token_start + len(CODES)
    assert layout.step_tokens.shape[0] == 2  # only the code steps have an output table
    with pytest.raises(Exception, match="prefix_len"):
        TokenLayout.from_index(index, item_step=True, prefix_len=4)


def test_exclusion_never_spends_a_beam_on_an_all_excluded_prefix():
    """10 items under 5 two-item prefixes; each user excludes both items of their model's two
    favourite prefixes plus one more item: 3 beams must still return 3 eligible items."""
    torch.manual_seed(1)
    codes = np.asarray([[p, c] for p in range(5) for c in range(2)])
    index = ItemIndex(item_codes=codes, user_codes=np.arange(2)[:, None], indexer="test")
    layout = TokenLayout.from_index(index)
    cfg = model_config("tiny", max_src_len=1, max_tgt_len=2, dropout=0.0)
    model = EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens).eval()
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    src = layout.user_tokens
    with torch.no_grad():  # what the first step's beams are chosen by: the prefix tokens' logits
        memory, mask = model.encode(src)
        states = model.decode_states(model.memory_kv(memory), mask, torch.full((2, 1), BOS))
        prefix_scores = model.logits(states, slice(0, 1))[
            :, 0, layout.local_index[layout.item_tokens[::2, 0]]
        ]
    keys, excluded = [], []
    for user in range(2):
        favourite = prefix_scores[user].topk(2).indices.tolist()
        items = [2 * p + c for p in favourite for c in range(2)]
        items.append(next(i for i in range(10) if i not in items))
        excluded.append(set(items))
        keys += [user * 10 + i for i in items]
    exclude = (torch.tensor(sorted(keys)), torch.arange(2), 10)
    items, _ = constrained_beam_search(model, src, trie, num_beams=3, top_k=3, exclude=exclude)
    for user in range(2):
        got = items[user].tolist()
        assert -1 not in got and len(set(got)) == 3 and not set(got) & excluded[user]
    # With every beam the search is exact: the same list as exact ranking with exclusion.
    wide, _ = constrained_beam_search(model, src, trie, num_beams=10, top_k=6, exclude=exclude)
    exact, _ = exact_top_k(model, src, trie, top_k=6, exclude=exclude)
    assert torch.equal(wide, exact)
    assert (exact[:, :5] >= 0).all() and (exact[:, 5] == -1).all()  # 5 eligible items per user


@pytest.mark.parametrize("n_candidates", [3, 40])
def test_candidate_logits_are_the_items_own_logits_either_way(monkeypatch, n_candidates):
    """Few candidates: gathered embeddings; many (W * C above the catalogue): every item scored
    and the candidates' columns kept, in row chunks without gradient. Same numbers both ways."""
    import lightlm.networks.encoder_decoder as model_module

    torch.manual_seed(0)
    cfg = model_config("tiny", max_src_len=1, max_tgt_len=2)
    n_items, start = 100, 10
    model = EncoderDecoder(cfg, start + n_items, torch.zeros(1, 2, dtype=torch.long), (start, n_items)).eval()
    h = torch.randn(7, cfg.d_model)
    tokens = start + torch.randint(0, n_items, (7, n_candidates))
    want = model.item_logits(h).gather(1, tokens - start)
    monkeypatch.setattr(model_module, "ITEM_SCORES", 2 * n_items)  # chunks of 2 rows
    with torch.no_grad():
        torch.testing.assert_close(model.candidate_logits(h, tokens), want)
    torch.testing.assert_close(model.candidate_logits(h, tokens), want)  # with gradient: one chunk


def test_grouped_candidate_logits_equal_the_catalogue_path_with_their_gradient():
    """Many candidates with groups (rows sharing a trie node share its children): one matmul per
    group, the rows back in their own order; logits and gradients as scoring the catalogue."""
    torch.manual_seed(0)
    cfg = model_config("tiny", max_src_len=1, max_tgt_len=2)
    n_items, start = 100, 10
    model = EncoderDecoder(cfg, start + n_items, torch.zeros(1, 2, dtype=torch.long), (start, n_items))
    node_items = start + torch.randperm(n_items)[:40].view(4, 10)  # 4 nodes of 10 children each
    groups = torch.tensor([2, 0, 2, 3, 0, 2, 1, 3, 3])  # interleaved, every node at least once
    tokens = node_items[groups]  # (9, 10): 10 * d_model is above the catalogue, so not gathered
    assert tokens.shape[1] * cfg.d_model > n_items
    h = torch.randn(len(groups), cfg.d_model, requires_grad=True)
    weights = torch.randn(len(groups), tokens.shape[1])

    def loss_and_grads(logits):
        loss = (logits * weights).sum()
        return logits.detach(), torch.autograd.grad(loss, [h, model.embed.weight, model.dec_norm.weight])

    grouped, grouped_grads = loss_and_grads(model.candidate_logits(h, tokens, groups=groups))
    want, want_grads = loss_and_grads(model.item_logits(h).gather(1, tokens - start))
    torch.testing.assert_close(grouped, want)
    for got, expected in zip(grouped_grads, want_grads):
        torch.testing.assert_close(got, expected)
    assert grouped_grads[1].abs().sum() > 0


@pytest.mark.parametrize("n_groups, grouped", [(3, True), (8, False)])
def test_narrow_candidates_are_scored_by_group_when_groups_hold_enough_slots(monkeypatch, n_groups, grouped):
    """Narrow sibling sets (W * C within the catalogue) are gathered per row unless their groups
    hold at least GROUP_MIN_SLOTS (160) candidate slots each: 12 rows of 40 candidates in 3 groups
    (160 each) go by group, in 8 groups (60 each) they are gathered; both give the gathered logits
    and gradients."""
    torch.manual_seed(1)
    cfg = model_config("tiny", max_src_len=1, max_tgt_len=2)
    n_items, start = 2000, 10
    model = EncoderDecoder(cfg, start + n_items, torch.zeros(1, 2, dtype=torch.long), (start, n_items))
    node_items = start + torch.randperm(n_items)[: 8 * 40].view(8, 40)  # 8 nodes of 40 children each
    groups = torch.arange(12) % n_groups
    tokens = node_items[groups]
    assert tokens.shape[1] * cfg.d_model <= n_items
    h = torch.randn(len(groups), cfg.d_model, requires_grad=True)
    weights = torch.randn(len(groups), tokens.shape[1])
    calls = []
    by_group = EncoderDecoder._grouped_candidate_logits
    monkeypatch.setattr(EncoderDecoder, "_grouped_candidate_logits",
                        lambda self, *args: calls.append(1) or by_group(self, *args))

    def loss_and_grads(groups):
        logits = model.candidate_logits(h, tokens, groups=groups)
        return logits.detach(), torch.autograd.grad((logits * weights).sum(), [h, model.embed.weight])

    got, got_grads = loss_and_grads(groups)
    assert bool(calls) == grouped
    calls.clear()
    want, want_grads = loss_and_grads(None)
    assert not calls
    torch.testing.assert_close(got, want)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w)
