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

from lightlm.decoding.exclusion import history_pairs
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import EncoderDecoder
from lightlm.networks.tokens import BOS


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
            Applied by the constraint at every step: a prefix whose items are all excluded is
            never kept, so no beam is spent on it and the search returns `top_k` items whenever
            that many eligible ones exist. Sorted-key lookups scale to any catalogue, where a
            (B, n_items) mask would not.

    Returns:
        items (B, top_k) long, best first, -1 where fewer than top_k items exist;
        scores (B, top_k) float, total log-probability of each item's code.
    """
    if top_k > num_beams:
        raise ValueError(f"top_k ({top_k}) cannot exceed num_beams ({num_beams})")
    B, K, device = src.shape[0], num_beams, src.device
    memory, mask = model.encode(src)
    excluded = None if exclude is None else _excluded_counts(trie, *exclude)
    memory_kv = model.memory_kv(memory)  # per user, (B, H, S, hd): beams are queries against it
    start = model.start_states(memory)
    # Beams alive per user at each step, Python ints: one at the start (the others would duplicate
    # it), then at most K and at most what the trie's levels so far can hold (for K = 20 and a
    # first code level of 2 values: 1, 2, 20), so no step computes beams known to be empty.
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
        h = model.decode_step(tokens, step, memory_kv, mask, cache, slots, visible[..., : slots.start], start)
        with record_function("constraint"):
            edge, invalid = trie.edges(nodes, step)  # (B*live, W) candidate edges of every beam
            if excluded is not None:
                invalid |= _all_excluded(trie, trie.child_node[edge], *excluded, live)
            cand_tokens, cand_columns = trie.child_token[edge], trie.child_column[edge]
        # float even under bf16 autocast
        cand = model.step_log_probs(h.reshape(B * live, -1), step, cand_tokens, cand_columns, ~invalid)
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


def _excluded_counts(trie: PrefixTrie, keys: torch.Tensor, users: torch.Tensor, n_items: int):
    """How many of each row's excluded items lie below each trie node, as sorted keys
    `row * n_nodes + node` and their counts; only the rows' own users' history is looked up."""
    rows, items = history_pairs(keys, users, n_items)
    node_keys = (rows[:, None] * trie.n_nodes + trie.item_path[items]).flatten()
    return torch.unique(node_keys, return_counts=True)


def _all_excluded(trie: PrefixTrie, nodes: torch.Tensor, keys: torch.Tensor, counts: torch.Tensor, live: int):
    """(B*live, W) bool: whether every item below each candidate node is excluded for its row."""
    if len(keys) == 0:
        return torch.zeros_like(nodes, dtype=torch.bool)
    rows = torch.arange(nodes.shape[0], device=nodes.device) // live
    query = rows[:, None] * trie.n_nodes + nodes
    pos = torch.searchsorted(keys, query).clamp(max=len(keys) - 1)
    n_excluded = torch.where(keys[pos] == query, counts[pos], 0)
    return n_excluded >= trie.n_leaves[nodes]
