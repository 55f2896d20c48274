"""What the kit keeps off the terminal: notices that the kit's own calls trigger in its libraries
and that tell a user nothing they can act on.

Each filter names one message, so anything else (a real warning about the user's data or
options) still shows. `quiet_library_notices` is idempotent; `LightLMCLI` calls it on creation.
"""

from __future__ import annotations

import logging
import warnings

# (message regex, why the kit hides it)
HIDDEN_WARNINGS = (
    # `lightlm index` and in-process callers build LightLMCLI(args=...) on purpose.
    (r"LightningCLI's args parameter is intended to run from within Python", "intended use"),
    # Lightning's own pytree helper against torch >= 2.10; nothing a user can change.
    (r"`isinstance\(treespec, LeafSpec\)` is deprecated", "library internals"),
    # Small data has fewer batches per epoch than the logging interval; the epoch's loss is
    # still logged at validation (val/loss), and training is unaffected.
    (r"The number of training batches \(\d+\) is smaller than the logging interval", "small data"),
)
HIDDEN_LOG_PREFIXES = ("💡 Tip:",)  # Lightning's advertisement for its cloud logger


class _DropPrefixes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith(HIDDEN_LOG_PREFIXES)


_FILTER = _DropPrefixes()


def quiet_library_notices() -> None:
    """Install the warning filters and the log filter (once each)."""
    for message, _why in HIDDEN_WARNINGS:
        warnings.filterwarnings("ignore", message=message)
    for name in ("lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def drop_wandb_anonymous(loggers) -> None:
    """WandbLogger passes `anonymous=None` to `wandb.init`, which wandb >= 0.19 answers with a
    deprecation notice on every run; leaving the argument out means the same (no anonymity)."""
    for lg in loggers:
        init = getattr(lg, "_wandb_init", None)
        if isinstance(init, dict) and init.get("anonymous", "unset") is None:
            del init["anonymous"]
