"""Constrained beam search over item codes.

Every beam of every user is a trie node; each step scores only that node's children, so each
returned sequence is a real item and beams are distinct paths, hence distinct items. The loop runs
over decoding steps only (the code length), never over users or beams. Scores are total
log-probabilities under the model's full softmax, the quantity a brute-force ranking would use.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.profiler import record_function

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
    B, K, device = src.shape[0], num_beams, src.device
    memory, mask = model.encode(src)
    memory_kv = model.memory_kv(memory)  # per user, (B, H, S, hd): beams are queries against it
    # Beams alive per user at each step, Python ints: one at the start (the others would duplicate
    # it), then at most K and at most what the trie's levels so far can hold (1, 2, 20 on Beauty),
    # so no step computes beams known to be empty.
    lives = [1]
    for width in trie.max_children[:-1]:
        lives.append(min(K, lives[-1] * width))
    # Self-attention keys/values are never reordered: each step's beams write theirs to fresh cache
    # slots and `visible` tells every beam which earlier slots hold its own prefix.
    first_slot = [sum(lives[:t]) for t in range(trie.depth + 1)]
    cache = model.new_cache(B, first_slot[-1], like=memory_kv[0][0])
    visible = torch.zeros(B, 1, first_slot[-1], dtype=torch.bool, device=device)
    tokens = torch.full((B, 1), BOS, dtype=torch.long, device=device)
    nodes = torch.zeros(B, dtype=torch.long, device=device)
    scores = torch.zeros(B, 1, device=device)
    for step in range(trie.depth):
        live, slots = lives[step], slice(first_slot[step], first_slot[step + 1])
        logits = model.decode_step(tokens, step, memory_kv, mask, cache, slots, visible[..., : slots.start])
        logp = logits.float().log_softmax(-1).view(B * live, -1)  # float even under bf16 autocast
        with record_function("constraint"):
            edge, invalid = trie.edges(nodes, step)  # (B*live, W) candidate edges of every beam
            if exclude is not None and step == trie.depth - 1:
                invalid |= _excluded(trie.leaf_item[trie.child_node[edge]], *exclude, live)
            cand = logp.gather(1, trie.child_column[edge]).masked_fill_(invalid, float("-inf"))
        W = cand.shape[1]
        cand = cand.add_(scores.reshape(B * live, 1)).reshape(B, live * W)
        scores, flat = cand.topk(min(K, live * W), dim=1)  # (B, new live), best first
        edge = edge.reshape(B, live * W).gather(1, flat)  # only the chosen edges' tokens and nodes
        tokens, nodes = trie.child_token[edge], trie.child_node[edge].reshape(-1)
        if step < trie.depth - 1:
            parent = (flat // W)[..., None]  # (B, new live, 1): the beam each new beam extends
            visible = visible.gather(1, parent.expand(-1, -1, visible.shape[2]))  # its prefix ...
            visible.scatter_(2, first_slot[step] + parent, True)  # ... and the parent itself
    live = scores.shape[1]
    items = trie.leaf_item[nodes].reshape(B, live).masked_fill(torch.isinf(scores), -1)
    if live < top_k:  # fewer candidate paths than requested items: pad
        items = F.pad(items, (0, top_k - live), value=-1)
        scores = F.pad(scores, (0, top_k - live), value=float("-inf"))
    return items[:, :top_k], scores[:, :top_k]


def _excluded(items: torch.Tensor, keys: torch.Tensor, users: torch.Tensor, n_items: int, K: int):
    """(B*K, W) bool: whether each candidate item is in its user's excluded set."""
    if len(keys) == 0:
        return torch.zeros_like(items, dtype=torch.bool)
    query = users.repeat_interleave(K)[:, None] * n_items + items
    pos = torch.searchsorted(keys, query).clamp(max=len(keys) - 1)
    return keys[pos] == query
