"""`lightlm fit|validate|test|predict|index`: LightningCLI over the kit.

User errors (`LightLMError`: bad data, impossible options, mismatched checkpoints) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lightning.pytorch.callbacks import ModelCheckpoint, ProgressBar, RichProgressBar
from lightning.pytorch.cli import LightningCLI

import indexers.registry  # noqa: F401  (makes every indexer class selectable by name)
from datamodules.datamodule import RecDataModule
from datamodules.errors import ConfigError, LightLMError
from lightlm.recommender import Recommender
from lightlm.predictions import RecommendationWriter


def configure_wandb_env() -> None:
    """Offline W&B unless the user asked otherwise, with no network call at all.

    wandb still phones home for telemetry in offline mode unless these variables are set.
    `WANDB_MODE=online` (or `disabled`) in the environment wins.
    """
    os.environ.setdefault("WANDB_MODE", "offline")
    if os.environ["WANDB_MODE"] != "online":
        os.environ.setdefault("WANDB_ERROR_REPORTING", "false")
        os.environ.setdefault("WANDB_DISABLE_GIT", "true")
        os.environ.setdefault("WANDB_SILENT", "true")


# Without any config file `lightlm fit` trains on the embedded synthetic data and logs to offline
# W&B under runs/.
TRAINER_DEFAULTS = {
    "max_epochs": 10,
    "logger": {
        "class_path": "lightning.pytorch.loggers.WandbLogger",
        "init_args": {"project": "lightlm", "save_dir": "runs", "offline": True},
    },
}


class LightLMCLI(LightningCLI):
    def add_arguments_to_parser(self, parser) -> None:
        parser.add_lightning_class_args(ModelCheckpoint, "checkpoint")
        parser.set_defaults(
            {
                "checkpoint.monitor": "val/ndcg@10",
                "checkpoint.mode": "max",
                "checkpoint.filename": "best",
                "checkpoint.save_last": True,
                "checkpoint.enable_version_counter": False,
                "checkpoint.dirpath": "runs/checkpoints",
            }
        )
        parser.add_lightning_class_args(RecommendationWriter, "predictions")
        # The generative model unless a config names another Recommender (e.g. SASRec).
        parser.set_defaults({"model": {"class_path": "lightlm.generative.GenerativeRecommender"}})

    def _instantiate_trainer(self, config: dict, callbacks: list):
        # A rich progress bar unless the user turned bars off or configured their own.
        configured = config.get("callbacks") or []
        if config.get("enable_progress_bar") is not False and not any(
            isinstance(c, ProgressBar) for c in configured
        ):
            callbacks = [*callbacks, RichProgressBar()]
        return super()._instantiate_trainer(config, callbacks)

    def _resolve_best(self) -> None:
        """`--ckpt_path best` (the default for test/predict) means the configured best.ckpt,
        also in a new process, where Lightning alone would know no best model."""
        cfg = self.config_init[self.subcommand]
        if cfg.get("ckpt_path") not in (None, "best"):
            return
        path = Path(self.config[self.subcommand]["checkpoint"]["dirpath"]) / "best.ckpt"
        if not path.is_file():
            raise ConfigError(
                f"--ckpt_path: no checkpoint at {path}; run `lightlm fit` with this config first "
                "or pass --ckpt_path PATH"
            )
        cfg["ckpt_path"] = str(path)

    before_test = _resolve_best
    before_predict = _resolve_best


def main(args: list[str] | None = None) -> None:
    configure_wandb_env()
    argv = sys.argv[1:] if args is None else args
    try:
        if argv[:1] == ["index"]:
            from lightlm.index_command import run_index

            run_index(argv[1:])
        else:
            LightLMCLI(
                Recommender,
                RecDataModule,
                subclass_mode_model=True,
                args=args,
                save_config_kwargs={"overwrite": True},
                trainer_defaults=TRAINER_DEFAULTS,
            )
    except LightLMError as e:
        print(f"lightlm: error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
