"""The prefix tree of all valid item codes, stored as tensors (CSR children table).

Node 0 is the root; every node's children are a contiguous run of edges, sorted by token, so
"which tokens may follow this prefix" for a whole batch of beams is a gather, not a dict lookup.
Built level by level with `np.unique`: no Python loop over items.
"""

from __future__ import annotations

import numpy as np
import torch


class PrefixTrie:
    """CSR trie over item token sequences that all have the same length (EOS-padded)."""

    def __init__(self, item_tokens: torch.Tensor, local_index: torch.Tensor) -> None:
        codes = item_tokens.cpu().numpy().astype(np.int64)
        n_items, depth = codes.shape
        vocab = int(codes.max()) + 1
        parent = np.zeros(n_items, dtype=np.int64)
        next_id = 1
        edge_parent, edge_token, edge_child, max_children, path = [], [], [], [], []
        for t in range(depth):
            key = parent * vocab + codes[:, t]
            uniq, inverse = np.unique(key, return_inverse=True)
            children = next_id + np.arange(len(uniq), dtype=np.int64)
            edge_parent.append(uniq // vocab)
            edge_token.append(uniq % vocab)
            edge_child.append(children)
            max_children.append(int(np.bincount(uniq // vocab).max()))
            parent = children[inverse.reshape(-1)]
            path.append(parent)
            next_id += len(uniq)
        if len(np.unique(parent)) != n_items:
            raise ValueError("item token sequences are not unique")
        parents = np.concatenate(edge_parent)  # sorted: levels in order, np.unique sorts within
        self.n_nodes = next_id
        self.depth = depth
        self.max_children = max_children  # per level: widest node, bounds the candidate table
        ptr = np.zeros(next_id + 1, dtype=np.int64)
        np.cumsum(np.bincount(parents, minlength=next_id), out=ptr[1:])
        leaf_item = np.full(next_id, -1, dtype=np.int64)
        leaf_item[parent] = np.arange(n_items)
        # Edge tables get max(max_children) padding entries so that a candidate slot past its
        # node's last child (masked anyway) is still a valid index: no clamp per step.
        pad = np.zeros(max(max_children), dtype=np.int64)
        self.n_edges = len(parents)
        self.child_ptr = torch.as_tensor(ptr)  # (n_nodes + 1,)
        self.child_token = torch.as_tensor(np.concatenate([*edge_token, pad]))  # (n_edges + pad,)
        # Item-id tokens (an item-level last step) have no column: 0 keeps the gather of a masked
        # slot in range, since a node's spare slots read the next node's edges.
        column = local_index.cpu()[self.child_token[: self.n_edges]].clamp(min=0)
        self.child_column = torch.cat([column, torch.as_tensor(pad)])  # column in the step's logits
        self.child_node = torch.as_tensor(np.concatenate([*edge_child, pad]))
        self.leaf_item = torch.as_tensor(leaf_item)  # (n_nodes,) item of a leaf, else -1
        node_edge = np.zeros(next_id, dtype=np.int64)  # the edge into each node (root: 0)
        node_edge[np.concatenate(edge_child)] = np.arange(self.n_edges)
        self.node_edge = torch.as_tensor(node_edge)
        item_path = np.stack(path, axis=1)
        self.item_path = torch.as_tensor(item_path)  # (n_items, depth) node after each token
        self.n_leaves = torch.as_tensor(np.bincount(item_path.ravel(), minlength=next_id))  # (n_nodes,)

    def to(self, device: torch.device | str) -> PrefixTrie:
        tables = ("child_ptr", "child_token", "child_column", "child_node", "leaf_item", "item_path",
                  "n_leaves", "node_edge")
        for name in tables:
            setattr(self, name, getattr(self, name).to(device))
        return self

    def edges(self, nodes: torch.Tensor, level: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Candidate edges of `nodes` (N,) at `level`: edge ids (N, W) and which are not real
        children (N, W) bool, W being the widest node of that level (a Python int: no sync)."""
        start = self.child_ptr[nodes]
        count = self.child_ptr[nodes + 1] - start
        slot = torch.arange(self.max_children[level], device=nodes.device)
        return start[:, None] + slot, slot >= count[:, None]

    def children(self, nodes: torch.Tensor, level: int) -> tuple[torch.Tensor, ...]:
        """Tokens, columns in the step's logits, child nodes and validity of the candidate edges
        of `nodes` (N,) at `level`, all (N, W); slots past a node's last child are invalid."""
        edge, invalid = self.edges(nodes, level)
        return self.child_token[edge], self.child_column[edge], self.child_node[edge], ~invalid

    def child_tokens(self, nodes: torch.Tensor, level: int) -> tuple[torch.Tensor, torch.Tensor]:
        """`children`' tokens and validity only, both (N, W): what training's item step reads,
        without gathering columns and child nodes it never uses."""
        edge, invalid = self.edges(nodes, level)
        return self.child_token[edge], ~invalid
