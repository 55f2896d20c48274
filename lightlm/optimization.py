"""How every model of the kit is optimised: AdamW, a linear warmup, then a linear decay to 0.

One definition of the four settings (`--model.lr`, `--model.weight_decay`, `--model.eps`,
`--model.warmup_ratio`), their defaults, checks and help texts, for every `Recommender`. The
models keep them as plain `__init__` arguments (jsonargparse builds the options from the
signatures, and checkpoints store them flat), with defaults read from `OptimizerSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from kitbase.errors import ConfigError


@dataclass(frozen=True)
class OptimizerSettings:
    """AdamW with the learning rate stepped every batch.

    Args:
        lr: AdamW peak learning rate.
        weight_decay: AdamW weight decay.
        eps: AdamW epsilon.
        warmup_ratio: share of steps with a linear warmup, then linear decay to 0.
    """

    lr: float = 1e-3
    weight_decay: float = 0.01
    eps: float = 1e-6
    warmup_ratio: float = 0.05

    def __post_init__(self) -> None:
        if self.lr <= 0:
            raise ConfigError(f"--model.lr must be positive, got {self.lr}")
        if self.weight_decay < 0:
            raise ConfigError(f"--model.weight_decay must be at least 0, got {self.weight_decay}")
        if self.eps < 0:
            raise ConfigError(f"--model.eps must be at least 0, got {self.eps}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ConfigError(f"--model.warmup_ratio must be in [0, 1), got {self.warmup_ratio}")

    def optimizer(self, parameters, fused: bool = True) -> torch.optim.AdamW:
        """AdamW, fused by default: one kernel per parameter and step, where the for-loop form
        that torch picks on a CPU runs about a dozen elementwise passes over each parameter (the
        measured share of a step: README, issue-13 figures). Same update up to rounding."""
        return torch.optim.AdamW(parameters, lr=self.lr, eps=self.eps, weight_decay=self.weight_decay,
                                 fused=fused)

    def schedule(self, total_steps: int):
        """Learning-rate factor of step 0, 1, ...: (step + 1) / warmup over the first
        `warmup_ratio * total_steps` steps, then linear to 0 at `total_steps`."""
        total = max(1, int(total_steps))
        warmup = int(self.warmup_ratio * total)

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total - step) / max(1, total - warmup))

        return factor

    def configure(self, parameters, total_steps: int, fused: bool = True) -> dict:
        """What `LightningModule.configure_optimizers` returns: the optimizer and its per-step schedule."""
        opt = self.optimizer(parameters, fused)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self.schedule(total_steps))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


OPTIMIZER_ARGS = tuple(f.name for f in fields(OptimizerSettings))


def document_optimizer_args(cls: type) -> type:
    """Class decorator: append `OptimizerSettings`' argument docs to the Args section that ends
    `cls`'s docstring, where jsonargparse reads the help of `--model.lr` and the others."""
    doc = OptimizerSettings.__doc__
    lines = doc[doc.index("Args:\n") + len("Args:\n"):].rstrip().splitlines()
    cls.__doc__ = cls.__doc__.rstrip() + "\n" + "\n".join(lines) + "\n    "
    return cls
