"""Constrained beam search over item codes.

Every beam of every user is a trie node; each step scores only that node's children, so each
returned sequence is a real item and beams are distinct paths, hence distinct items. The loop runs
over decoding steps only (the code length), never over users or beams. Scores are total
log-probabilities under the model's full softmax, the quantity a brute-force ranking would use.
"""

from __future__ import annotations

import torch

from lightlm.model import EncoderDecoder
from lightlm.tokens import BOS
from lightlm.trie import PrefixTrie


@torch.no_grad()
def constrained_beam_search(
    model: EncoderDecoder,
    src: torch.Tensor,
    trie: PrefixTrie,
    num_beams: int = 20,
    top_k: int = 20,
    exclude: tuple[torch.Tensor, torch.Tensor, int] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-`top_k` items for each source row.

    Args:
        src: (B, S) encoder input tokens.
        exclude: optional (sorted keys, users, n_items): items a user must not be offered (their
            own history), as sorted `user * n_items + item` keys and the (B,) user of each row.
            Applied by the constraint at the last step, so the beam keeps the best remaining
            items instead of being filtered afterwards; a sorted-key lookup scales to any
            catalogue, where a (B, n_items) mask would not.

    Returns:
        items (B, top_k) long, best first, -1 where fewer than top_k items exist;
        scores (B, top_k) float, total log-probability of each item's code.
    """
    if top_k > num_beams:
        raise ValueError(f"top_k ({top_k}) cannot exceed num_beams ({num_beams})")
    B, K = src.shape[0], num_beams
    memory, mask = model.encode(src)
    # Every beam of a user shares that user's cross-attention keys/values: expand, don't recompute.
    memory_kv = [
        tuple(t.repeat_interleave(K, dim=0) for t in kv) for kv in model.memory_kv(memory)
    ]
    mask = mask.repeat_interleave(K, dim=0)
    cache = model.new_cache(B * K, trie.depth, memory)
    nodes = torch.zeros(B * K, dtype=torch.long, device=src.device)
    tokens = torch.full((B * K,), BOS, dtype=torch.long, device=src.device)
    # Only the first beam is live at the start; the others would duplicate it.
    scores = torch.full((B, K), float("-inf"), device=src.device)
    scores[:, 0] = 0.0
    rows = torch.arange(B, device=src.device)[:, None]
    for step in range(trie.depth):
        logp = model.decode_step(tokens, step, memory_kv, mask, cache).float().log_softmax(-1)
        child_tok, child_col, child_node, valid = trie.children(nodes, step)  # (B*K, W)
        cand = scores.reshape(B * K, 1) + logp.gather(1, child_col)
        if exclude is not None and step == trie.depth - 1:
            valid = valid & ~_excluded(trie.leaf_item[child_node], *exclude, K)
        cand = cand.masked_fill(~valid, float("-inf"))
        W = cand.shape[1]
        scores, flat = cand.reshape(B, K * W).topk(K, dim=1)  # (B, K)
        beam, slot = flat // W, flat % W
        src_row = (rows * K + beam).reshape(-1)  # which old beam each new beam extends
        tokens = child_tok[src_row, slot.reshape(-1)]
        nodes = child_node[src_row, slot.reshape(-1)]
        for k_cache, v_cache in cache:
            k_cache.copy_(k_cache[src_row])
            v_cache.copy_(v_cache[src_row])
    items = trie.leaf_item[nodes].reshape(B, K)
    items = items.masked_fill(torch.isinf(scores), -1)
    return items[:, :top_k], scores[:, :top_k]


def _excluded(items: torch.Tensor, keys: torch.Tensor, users: torch.Tensor, n_items: int, K: int):
    """(B*K, W) bool: whether each candidate item is in its user's excluded set."""
    if len(keys) == 0:
        return torch.zeros_like(items, dtype=torch.bool)
    query = users.repeat_interleave(K)[:, None] * n_items + items
    pos = torch.searchsorted(keys, query).clamp(max=len(keys) - 1)
    return keys[pos] == query
