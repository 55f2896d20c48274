"""Distillation from a trained SASRec-CE: its catalogue softmax, read step by step under the
generative model's codes, as soft targets for each decoding step.

A code step's soft target is the teacher's probability mass of each of the step's tokens among the
items that share the target's code prefix so far (the first step: each cluster's summed mass); the
item step's is the teacher's softmax over the items under the target's prefix. The student so
learns how the teacher spreads its mass over the clusters and over the target cluster's items,
not only which item came next.

Leak-free when the teacher is: `lightlm.sasrec.load_teacher` refuses a checkpoint whose item
index was fitted on other data, and a teacher from `lightlm fit` saw the training interactions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch


@dataclass
class TeacherScores:
    """The teacher's logits (R, n_items) for a batch's R targets, and their softmax taken once
    however many distilled terms of the step read it (a pass over R x n_items each time)."""

    logits: torch.Tensor

    @cached_property
    def probs(self) -> torch.Tensor:
        return self.logits.softmax(-1)


def code_step_targets(
    probs: torch.Tensor, item_tokens: torch.Tensor, columns: torch.Tensor, target: torch.Tensor,
    step: int, width: int,
) -> torch.Tensor:
    """Soft targets (R, width) of code step `step`: the teacher's mass of each of the step's
    output columns among the items whose first `step` tokens are the target's.

    probs (R, n_items): the teacher's softmax; item_tokens (n_items, L): every item's code;
    columns (n_items,): the column of each item's token at this step; target (R, L): the
    targets' codes."""
    mass = probs
    if step:
        same_prefix = (item_tokens[None, :, :step] == target[:, None, :step]).all(-1)  # (R, n_items)
        mass = probs * same_prefix
    out = mass.new_zeros(len(probs), width).index_add_(1, columns, mass)
    return out / out.sum(-1, keepdim=True).clamp_min(1e-30)


def item_step_targets(logits: torch.Tensor, candidates: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Soft targets (R, ..., W) of the item step over sets of W candidates (the items under one
    code prefix): the teacher's softmax restricted to each set. logits (R, n_items): the
    teacher's; candidates (R, ..., W): item indices (any value where not `valid`), one or more
    sets per target."""
    picked = logits.gather(1, candidates.clamp(0, logits.shape[1] - 1).flatten(1)).view(candidates.shape)
    return picked.masked_fill(~valid, float("-inf")).softmax(-1)


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(N,) cross-entropy of soft targets (N, W) under logits (N, W) in which -inf marks slots
    that are no class (the targets are 0 there)."""
    logp = logits.float().log_softmax(-1)
    return -(targets * logp.masked_fill(~torch.isfinite(logp), 0.0)).sum(-1)
