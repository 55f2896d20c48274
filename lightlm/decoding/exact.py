"""Exact ranking: every item scored by its code's total log-probability, no beam.

Beam search keeps `num_beams` prefixes per step and can drop an item whose prefix looked poor
early; this scorer is the reference it approximates. Prefixes are shared: one teacher-forced
decoder pass per node of the next-to-last trie level gives the log-probabilities of that node's
path tokens and of all its children at once, so a user costs (number of such nodes) decoder
rows of the code length, not (number of items) rows.
"""

from __future__ import annotations

import torch

from lightlm.decoding.exclusion import history_pairs
from lightlm.decoding.trie import PrefixTrie
from lightlm.networks.encoder_decoder import ITEM_SCORES, EncoderDecoder
from lightlm.networks.tokens import BOS


@torch.no_grad()
def exact_log_probs(model: EncoderDecoder, src: torch.Tensor, trie: PrefixTrie) -> torch.Tensor:
    """(B, n_items) total log-probability of every item's code for each source row (B, S[, G])."""
    memory, mask = model.encode(src)
    memory_kv = model.memory_kv(memory)
    start = model.start_states(memory)
    depth, device = trie.depth, src.device
    item_path = trie.item_path
    if depth > 1:
        parents = torch.unique(item_path[:, -2])
        # Each parent's path, as the edges of an item below it (P, depth - 1).
        below = torch.zeros(trie.n_nodes, dtype=torch.long, device=device)
        below[item_path[:, -2]] = torch.arange(len(item_path), device=device)
        path_edges = trie.node_edge[item_path[below[parents], :-1]]
    else:  # one-token codes: the root is the only parent
        parents = torch.zeros(1, dtype=torch.long, device=device)
        path_edges = torch.zeros(1, 0, dtype=torch.long, device=device)
    tgt_in = torch.cat([torch.full_like(parents[:, None], BOS), trie.child_token[path_edges]], dim=1)
    tokens, columns, nodes, valid = trie.children(parents, depth - 1)  # (P, W)
    P, W = tokens.shape
    n_items = len(item_path)
    out_width = n_items if model.item_tokens is not None else W  # the item step may score them all
    chunk = max(1, ITEM_SCORES // (P * max(out_width, W)))
    B = src.shape[0]
    scores = torch.full((B, n_items), float("-inf"), device=device)
    for lo in range(0, B, chunk):
        b = min(chunk, B - lo)
        kv = [(k[lo : lo + b], v[lo : lo + b]) for k, v in memory_kv]
        rows = slice(lo, lo + b)
        own_start = None if start is None else start[rows]
        states = model.decode_states(kv, mask[rows], tgt_in.repeat(b, 1), rows_per_memory=P, start=own_start)
        prefix = torch.zeros(b * P, device=device)
        for t in range(depth - 1):
            edge = path_edges[:, t : t + 1].repeat(b, 1)  # (b*P, 1): the path's own token
            prefix += model.step_log_probs(
                states[:, t],
                t,
                trie.child_token[edge],
                trie.child_column[edge],
                torch.ones_like(edge, dtype=torch.bool),
            )[:, 0]
        last = model.step_log_probs(
            states[:, -1], depth - 1, tokens.repeat(b, 1), columns.repeat(b, 1), valid.repeat(b, 1)
        )  # (b*P, W)
        total = (last + prefix[:, None]).view(b, P * W)
        leaf = trie.leaf_item[nodes].flatten()  # (P*W,), -1 in invalid slots
        real = valid.flatten()
        scores[lo : lo + b, leaf[real]] = total[:, real]
    return scores


def exact_top_k(
    model: EncoderDecoder,
    src: torch.Tensor,
    trie: PrefixTrie,
    top_k: int,
    exclude: tuple[torch.Tensor, torch.Tensor, int] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Same contract as `constrained_beam_search`: items (B, top_k), -1 where fewer items are
    eligible, and their total log-probabilities; `exclude` as there."""
    scores = exact_log_probs(model, src, trie)
    if exclude is not None:
        rows, items = history_pairs(*exclude)
        scores[rows, items] = float("-inf")
    top, items = scores.topk(min(top_k, scores.shape[1]), dim=1)
    items = items.masked_fill(torch.isinf(top), -1)
    if items.shape[1] < top_k:
        pad = top_k - items.shape[1]
        items = torch.nn.functional.pad(items, (0, pad), value=-1)
        top = torch.nn.functional.pad(top, (0, pad), value=float("-inf"))
    return items, top
