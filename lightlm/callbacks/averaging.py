"""An exponential moving average of the weights, validated, checkpointed and tested in their place.

    lightlm fit --config conf/beauty-items.yaml \
        --trainer.callbacks+=lightlm.callbacks.averaging.EMAWeights --trainer.callbacks.decay 0.99

Lightning's `WeightAveraging` keeps the average in an `AveragedModel` updated after every optimizer
step, swaps it in for each validation, writes it as the checkpoint's `state_dict` (the current
weights go under `current_model_state`, so a resumed run continues both) and leaves it in the
module when training ends. So `val/ndcg@10`, `best.ckpt`, `test` and `predict` all see the
averaged weights, and training steps only ever update the current ones.

The kit builds its network in `LightningModule.setup`, from the data, after the callbacks' own
setup; `EMAWeights` builds it first, so that the average copies a complete module.
"""

from __future__ import annotations

import lightning as L
from lightning.pytorch.callbacks import WeightAveraging
from torch.optim.swa_utils import get_ema_avg_fn

from kitbase.errors import ConfigError


class EMAWeights(WeightAveraging):
    """Exponential moving average of the parameters: avg <- decay * avg + (1 - decay) * current.

    Args:
        decay: weight of the running average at each optimizer step; its horizon is about
            1 / (1 - decay) steps (0.99: about 100 steps, one Beauty epoch of windows).
        start_step: optimizer steps trained before the average starts (it starts as a copy of
            the weights at that step).
    """

    def __init__(self, decay: float = 0.99, start_step: int = 0) -> None:
        if not 0.0 < decay < 1.0:
            raise ConfigError(f"--trainer.callbacks.decay must be in (0, 1), got {decay}")
        if start_step < 0:
            raise ConfigError(f"--trainer.callbacks.start_step must be at least 0, got {start_step}")
        # Parameters only: the kit's buffers are constant lookup tables (some integer), which an
        # average would only round.
        super().__init__(avg_fn=get_ema_avg_fn(decay), use_buffers=False)
        self.decay, self.start_step = decay, start_step

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if stage == "fit":
            pl_module.setup(stage)  # idempotent: builds the network from the data module once
        super().setup(trainer, pl_module, stage)

    def should_update(self, step_idx: int | None = None, epoch_idx: int | None = None) -> bool:
        return step_idx is not None and step_idx >= self.start_step
