"""The fast paths of beam search: never-copied cache, live-beam counts, per-user cross-attention,
bf16 autocast and a compiled training forward all keep the results exact."""

import itertools

import numpy as np
import pytest
import torch

from datamodules.item_index import ItemIndex
from indexers.sequential import SequentialIndexer
from lightlm.decoding.beam_search import constrained_beam_search
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import EncoderDecoder, model_config
from lightlm.networks.tokens import BOS, PAD, TokenLayout


def _layout(item_codes, n_users=4):
    index = ItemIndex(
        item_codes=np.asarray(item_codes, dtype=np.int64),
        user_codes=np.arange(n_users)[:, None],
        indexer="test",
    )
    return TokenLayout.from_index(index)


def _model(layout, seed=0, **overrides):
    torch.manual_seed(seed)
    cfg = model_config("tiny", dropout=0.0, max_tgt_len=layout.code_len, **overrides)
    model = EncoderDecoder(cfg, layout.vocab_size, layout.step_tokens).eval()
    with torch.no_grad():  # sharper distributions than the 0.02 init: fewer near-ties to break
        model.embed.weight.mul_(25)
    return model


def _code_logprob(model, src, layout):
    """Teacher-forced total log-probability of every item for every source row: (B, n_items)."""
    B, n = src.shape[0], len(layout.item_tokens)
    tgt = layout.item_tokens.repeat(B, 1)
    tgt_in = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], 1)
    with torch.no_grad():
        logp = model(src.repeat_interleave(n, 0), tgt_in).log_softmax(-1)
    return logp.gather(2, layout.local_index[tgt][..., None]).squeeze(-1).sum(1).view(B, n)


def _sources_with_history(layout, n_hist=3, seed=0):
    """User token, then the codes of a few random items, then padding: cross-attention over S > 1."""
    g = torch.Generator().manual_seed(seed)
    B = layout.user_tokens.shape[0]
    hist = torch.randint(len(layout.item_tokens), (B, n_hist), generator=g)
    src = torch.cat([layout.user_tokens, layout.item_tokens[hist].flatten(1)], 1)
    return torch.cat([src, torch.full((B, 2), PAD)], 1)


@pytest.mark.parametrize("seed", [0, 1])
def test_many_token_sources_match_brute_force(seed):
    codes = [[0, 0, 0], [0, 0, 1], [0, 1, -1], [1, 0, 0], [1, 0, 1], [1, 0, 2], [2, -1, -1], [1, 1, -1]]
    layout = _layout(codes)
    model = _model(layout, seed=seed, max_src_len=16)
    src = _sources_with_history(layout, seed=seed)
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    items, scores = constrained_beam_search(model, src, trie, num_beams=8, top_k=8)
    expected_scores, expected_items = _code_logprob(model, src, layout).sort(1, descending=True)
    assert torch.equal(items, expected_items)
    torch.testing.assert_close(scores, expected_scores, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("one_token_source", [True, False])
def test_narrow_beam_over_deep_codes_scores_are_exact(one_token_source):
    """Beams are reordered at every step; each beam reads its own prefix's cached keys/values, so the
    score of every returned item equals its teacher-forced log-probability."""
    codes = np.array(list(itertools.product(range(3), range(4), range(2), range(3))))  # 72 items, depth 4
    layout = _layout(codes, n_users=6)
    model = _model(layout, max_src_len=32)
    src = layout.user_tokens if one_token_source else _sources_with_history(layout)
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    items, scores = constrained_beam_search(model, src, trie, num_beams=5, top_k=5)
    brute = _code_logprob(model, src, layout)
    torch.testing.assert_close(scores, brute.gather(1, items), rtol=1e-4, atol=1e-5)
    assert all(len(set(row.tolist())) == 5 for row in items)


def test_beams_grow_only_as_wide_as_the_trie_allows():
    """Two first tokens and a beam of 6: step 0 keeps 2 beams, step 1 up to 6; results are exact."""
    codes = [[a, b] for a in range(2) for b in range(5)]
    layout = _layout(codes)
    model = _model(layout)
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    assert trie.max_children == [2, 5]
    items, scores = constrained_beam_search(model, layout.user_tokens, trie, num_beams=10, top_k=10)
    brute = _code_logprob(model, layout.user_tokens, layout)
    expected_scores, expected_items = brute.sort(1, descending=True)
    assert torch.equal(items, expected_items)
    torch.testing.assert_close(scores, expected_scores, rtol=1e-4, atol=1e-5)


def test_trie_edges_past_the_last_node_stay_in_bounds():
    layout = _layout([[0, 0], [0, 1], [0, 2], [1, 0]])
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    last = torch.tensor([trie.n_nodes - 1, 0])  # a leaf (no children), the root
    edge, invalid = trie.edges(last, 1)
    assert edge.max() < len(trie.child_column) and invalid[0].all()
    level1 = torch.arange(1, 3)  # the root's two children
    edge, invalid = trie.edges(level1, 1)
    assert (~invalid).sum(1).tolist() == [3, 1]
    assert (trie.child_column[edge] >= 0).all()


def test_bf16_autocast_decodes_and_trains():
    codes = np.array(list(itertools.product(range(4), range(3), range(5))))
    layout = _layout(codes, n_users=7)
    model = _model(layout)
    trie = PrefixTrie(layout.item_tokens, layout.local_index)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        items, scores = constrained_beam_search(model, layout.user_tokens, trie, 10, 10)
        model.train()
        tgt = layout.item_tokens[:7]
        tgt_in = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], 1)
        logits = model(layout.user_tokens, tgt_in)
    assert scores.dtype == torch.float32 and torch.isfinite(scores).all()
    assert all(len(set(row.tolist())) == 10 for row in items) and (items >= 0).all()
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1).float(), layout.local_index[tgt].flatten())
    loss.backward()
    assert torch.isfinite(loss) and all(torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.mark.slow
def test_compiled_model_trains_and_decodes_the_same_items(tmp_path):
    from datamodules.datamodule import RecDataModule
    from datamodules.synthetic import SyntheticConfig
    from lightlm.generative import GenerativeRecommender

    synthetic = SyntheticConfig(n_users=50, n_items=60, n_communities=4, mean_length=8)
    dm = RecDataModule(indexer=SequentialIndexer(), synthetic=synthetic, cache_dir=str(tmp_path / "cache"))
    dm.setup("fit")
    recs = []
    for compile in (False, True):
        torch.manual_seed(0)
        rec = GenerativeRecommender(preset="tiny", compile=compile, dropout=0.0)  # same RNG-free loss
        rec.attach(dm.index, dm.split, dm.history_len)
        recs.append(rec)
    recs[1].model.load_state_dict(recs[0].model.state_dict())
    batch = dm.dataset("fit").__getitems__(list(range(32)))
    torch._dynamo.reset()
    eager_loss = recs[0].model_step(batch)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == 0
    compiled_loss = recs[1].model_step(batch)
    # the training step really ran compiled code (the whole module's `forward`, which training
    # never calls, compiled nothing): one graph per block class at least
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] >= 2
    torch.testing.assert_close(compiled_loss, eager_loss, rtol=1e-4, atol=1e-5)
    compiled_loss.backward()  # the compiled backward runs too
    test = dm.dataset("test").__getitems__(list(range(20)))
    eager, compiled = (r.eval().recommend(test, "test")[0] for r in recs)
    assert torch.equal(eager, compiled)
    assert set(recs[1].model.state_dict()) == set(recs[0].model.state_dict())  # checkpoints interchange
