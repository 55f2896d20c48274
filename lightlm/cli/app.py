"""`lightlm fit|validate|test|predict`: LightningCLI over the kit (the command's entry point,
with `index` and `stats`, is `lightlm.cli.main`)."""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

from lightning.pytorch.callbacks import ModelCheckpoint, ProgressBar, RichProgressBar
from lightning.pytorch.cli import LightningCLI
from lightning.pytorch.utilities import rank_zero_only

import indexers.registry  # noqa: F401  (makes every indexer class selectable by name)
from datamodules.datamodule import RecDataModule
from kitbase.errors import ConfigError, DataFormatError
from lightlm.callbacks.metrics_table import MetricsTable
from lightlm.callbacks.outputs import check_output_dir, check_output_file, expand_home
from lightlm.callbacks.predictions import RecommendationWriter
from lightlm.callbacks.results import ResultsWriter
from lightlm.callbacks.wandb_report import LoggedConfig, WandbReport
from lightlm.checkpoints import (
    SPECIAL_PATHS,
    AtomicCheckpointIO,
    check_checkpoint,
    latest_checkpoint,
    save_best_at_validation,
)
from lightlm.cli.terminal import drop_wandb_anonymous, quiet_library_notices
from lightlm.inference import TrainedRecommender, read_histories
from lightlm.recommender import DEFAULT_MONITOR, MONITORED_METRICS, Recommender
from lightlm.sasrec import SASRec  # noqa: F401  (selectable as --model SASRec)

# The W&B variables `configure_wandb_env` set itself (the user's own always win).
_WANDB_DEFAULTED: set[str] = set()


def configure_wandb_env() -> None:
    """Offline W&B unless the user asked otherwise, with no network call at all.

    wandb still phones home for telemetry in offline mode unless these variables are set.
    `WANDB_MODE=online` (or `disabled`) in the environment wins; so does
    `--trainer.logger.init_args.offline false` (see `LightLMCLI.before_instantiate_classes`).
    """
    defaults = {"WANDB_MODE": "offline"}
    if os.environ.get("WANDB_MODE", "offline") != "online":
        defaults |= {"WANDB_ERROR_REPORTING": "false", "WANDB_DISABLE_GIT": "true", "WANDB_SILENT": "true"}
    for key, value in defaults.items():
        if key not in os.environ:
            os.environ[key] = value
            _WANDB_DEFAULTED.add(key)


def reconcile_wandb_mode(logger_config) -> None:
    """Make the environment and every configured WandbLogger agree on one W&B mode.

    Precedence: a `WANDB_MODE` the user exported, then a sweep agent (`WANDB_SWEEP_ID`: its runs
    must report back, so online), then the config's `offline`. WandbLogger(offline=True) would
    force offline mode over `WANDB_MODE=disabled`, so `offline` is rewritten to match.
    """
    configs = logger_config if isinstance(logger_config, list) else [logger_config]
    for cfg in configs:
        if not hasattr(cfg, "get") or not str(cfg.get("class_path", "")).endswith("WandbLogger"):
            continue
        init = cfg.get("init_args")
        mode = None if "WANDB_MODE" in _WANDB_DEFAULTED else os.environ.get("WANDB_MODE")
        if mode is None and os.environ.get("WANDB_SWEEP_ID"):
            mode = "online"
        if mode is None:
            mode = "offline" if init is None or init.get("offline", False) else "online"
        if init is not None:
            init["offline"] = mode in ("offline", "dryrun")
        os.environ["WANDB_MODE"] = mode
        if mode == "online":  # the quiet, no-telemetry settings were only for offline runs
            for key in _WANDB_DEFAULTED - {"WANDB_MODE"}:
                os.environ.pop(key, None)


# Without any config file `lightlm fit` trains on the embedded synthetic data and logs to offline
# W&B under runs/.
TRAINER_DEFAULTS = {
    "max_epochs": 10,
    "logger": {
        "class_path": "lightning.pytorch.loggers.WandbLogger",
        "init_args": {"project": "lightlm", "save_dir": "runs", "offline": True},
    },
}


# Model arguments a checkpoint's hyperparameters never override: they change how a trained model
# ranks (beams, list length, history exclusion, the prefix steps' weight) or where this command
# writes (SASRec's item-embedding export: a resumed fit must not overwrite the file the
# checkpoint's own run wrote), not what was trained.
COMMAND_OPTIONS = (
    "num_beams", "top_k", "exclude_train_items", "rank_by", "prefix_weight", "export_embeddings",
)  # fmt: skip

# Subcommands that score a trained model: without `--ckpt_path` they read the configured best.ckpt.
EVALUATIONS = ("validate", "test", "predict")

# The `parser_kwargs` entry that makes `LightLMCLI.init_parser` add `--overwrite` (fit's only).
_OVERWRITE_OPTION = "lightlm_overwrite_option"


class LightLMCLI(LightningCLI):
    """The kit's LightningCLI; its defaults are those of the `lightlm` command, so scripts and
    tests that build it in-process (`LightLMCLI(args=[...])`) behave exactly like the command."""

    def __init__(self, model_class=Recommender, datamodule_class=RecDataModule, **kwargs) -> None:
        kwargs.setdefault("subclass_mode_model", True)
        kwargs.setdefault("save_config_callback", LoggedConfig)
        kwargs.setdefault("save_config_kwargs", {"overwrite": True})
        kwargs.setdefault("trainer_defaults", TRAINER_DEFAULTS)
        parser_kwargs = dict(kwargs.get("parser_kwargs") or {})
        parser_kwargs["fit"] = {**parser_kwargs.get("fit", {}), _OVERWRITE_OPTION: True}
        kwargs["parser_kwargs"] = parser_kwargs
        quiet_library_notices()
        super().__init__(model_class, datamodule_class, **kwargs)

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_lightning_class_args(ModelCheckpoint, "checkpoint")
        parser.set_defaults(
            {
                "checkpoint.monitor": DEFAULT_MONITOR,
                "checkpoint.mode": "max",
                "checkpoint.filename": "best",
                "checkpoint.save_last": True,
                "checkpoint.enable_version_counter": False,
                "checkpoint.dirpath": "runs/checkpoints",
            }
        )
        parser.add_lightning_class_args(RecommendationWriter, "predictions")
        parser.add_lightning_class_args(ResultsWriter, "results")
        # The generative model unless a config names another Recommender (e.g. SASRec), and
        # sequential item ids unless it names another indexer.
        parser.set_defaults({"model": {"class_path": "lightlm.generative.GenerativeRecommender"}})
        parser.set_defaults({"data.indexer": {"class_path": "indexers.sequential.SequentialIndexer"}})

    def init_parser(self, **kwargs):
        """Every parser (the main one and one per subcommand); `fit`'s alone gets `--overwrite`,
        requested through the per-subcommand `parser_kwargs` the constructor sets."""
        overwrite_option = kwargs.pop(_OVERWRITE_OPTION, False)
        parser = super().init_parser(**kwargs)
        if overwrite_option:
            parser.add_argument(
                "--overwrite",
                type=bool,
                default=False,
                help="replace the checkpoints of an earlier fit in --checkpoint.dirpath (refused otherwise)",
            )
        return parser

    def instantiate_trainer(self, **kwargs):
        """The trainer with the kit's callbacks: a rich progress bar unless the user turned bars
        off or configured their own, the metrics table, the W&B report, checkpoints renamed
        into place (never half-written) unless plugins are configured, and a `last.ckpt` that
        always holds the latest weights (`latest_checkpoint`)."""
        cfg = self.config_init[self.subcommand] if self.subcommand else self.config_init
        config = {**cfg["trainer"], **kwargs}
        callbacks = config.get("callbacks") or []
        callbacks = list(callbacks) if isinstance(callbacks, list) else [callbacks]
        if config.get("enable_progress_bar") is not False and not any(
            isinstance(c, ProgressBar) for c in callbacks
        ):
            callbacks.append(RichProgressBar())
        kwargs["callbacks"] = [*callbacks, MetricsTable(), WandbReport()]
        if not config.get("plugins"):
            kwargs["plugins"] = [AtomicCheckpointIO()]
        trainer = super().instantiate_trainer(**kwargs)
        best = cfg.get("checkpoint")
        if isinstance(best, ModelCheckpoint) and best in trainer.callbacks:
            if best.save_last:
                best.save_last = False
                trainer.callbacks.append(latest_checkpoint(best))  # keeps best's step save points
            save_best_at_validation(best)
        drop_wandb_anonymous(trainer.loggers)
        return trainer

    def keep_command_options(self) -> None:
        """Lightning replaces the model's arguments by the checkpoint's hyperparameters between
        `parse_arguments` and `before_instantiate_classes`; put back the command's own values
        for the options that only affect inference or outputs (`COMMAND_OPTIONS`), so that
        `lightlm validate --ckpt_path X --model.num_beams 50` decodes with 50 beams and a
        resumed fit exports its embeddings where its own command says. Only those the
        checkpoint's model class takes: a SASRec checkpoint has no beams."""
        sub = self.config.get("subcommand")
        model = self.config[sub].get("model") if sub else None
        args = getattr(model, "init_args", None)
        if args is None:
            return
        accepted = inspect.signature(_import(model.class_path)).parameters
        for k, v in self._command_options.items():
            if k in accepted:
                args[k] = v

    def before_instantiate_classes(self) -> None:
        self.keep_command_options()
        cfg = self.config[self.subcommand] if self.subcommand else self.config
        reconcile_wandb_mode(cfg["trainer"].get("logger"))

    def _resolve_ckpt_path(self, sub: str, cfg) -> None:
        """`best` (the default of validate/test/predict) and `last` name the files in
        `--checkpoint.dirpath`, resolved before Lightning reads the checkpoint's hyperparameters
        (it reads them only from a file path), so the default checkpoint is read exactly like one
        passed explicitly; an evaluation with no such file is refused, never run on fresh weights."""
        given = cfg.get("ckpt_path")
        dirpath = (cfg.get("checkpoint") or {}).get("dirpath")
        if (
            dirpath is None
            or given not in (None, "best", "last")
            or (given is None and sub not in EVALUATIONS)
        ):
            return
        path = Path(dirpath) / ("last.ckpt" if given == "last" else "best.ckpt")
        if path.is_file():
            cfg["ckpt_path"] = str(path)
        elif sub in EVALUATIONS:
            option = "--ckpt_path" if given is None else f"--ckpt_path {given}"
            raise ConfigError(
                f"{option}: no checkpoint at {path}; run `lightlm fit` with this config first "
                "or pass --ckpt_path PATH"
            )

    def parse_arguments(self, parser, args) -> None:
        self._command_options: dict = {}
        super().parse_arguments(parser, args)
        sub = self.config.get("subcommand")
        cfg = self.config[sub] if sub else self.config
        expand_home(cfg)
        run_id = os.environ.get("WANDB_RUN_ID")
        if os.environ.get("WANDB_SWEEP_ID") and run_id and cfg.get("checkpoint"):
            # Runs of one sweep share a config: give each its own best.ckpt.
            cfg["checkpoint"]["dirpath"] = str(Path(cfg["checkpoint"]["dirpath"] or "runs") / run_id)
        if not sub:
            return
        self._resolve_ckpt_path(sub, cfg)
        args = getattr(cfg.get("model"), "init_args", None)
        if args is not None:  # restored by `keep_command_options` after Lightning's replacement
            self._command_options = {k: args[k] for k in COMMAND_OPTIONS if k in args}
        # LightningCLI reads an explicit --ckpt_path right after parsing (for its hyperparameters),
        # before any before_* hook: a missing or unreadable file must be refused first.
        path = cfg.get("ckpt_path")
        if path is not None and str(path).split(":")[0] not in SPECIAL_PATHS:
            check_checkpoint(path)

    def _check_ckpt_path(self) -> None:
        """Load checkpoints with weights_only=True unless `--weights_only false` was given, and
        refuse a missing, unreadable or foreign `--ckpt_path` with one line, not a traceback."""
        cfg = self.config_init[self.subcommand]
        if cfg.get("weights_only") is None:
            cfg["weights_only"] = True
        path = cfg.get("ckpt_path")
        if path is not None and str(path).split(":")[0] not in SPECIAL_PATHS:
            checkpoint = check_checkpoint(path, weights_only=cfg["weights_only"])
            if self.subcommand in EVALUATIONS:
                say_scored(self.subcommand, path, type(self.model).__name__, checkpoint)

    def _before_run(self) -> None:
        """Everything that can be refused without reading data: the model's data options, the
        output paths, the checkpoint."""
        self.model.check_data(self.datamodule)
        check_outputs(self.subcommand, self.config[self.subcommand])
        self._check_ckpt_path()

    def before_fit(self) -> None:
        self._before_run()
        self.model.check_fit()

    def before_validate(self) -> None:
        self._before_run()

    def before_test(self) -> None:
        self._before_run()

    def before_predict(self) -> None:
        self._before_run()

    def test(self, **kwargs):
        """`lightlm test`: `MetricsTable` prints the one table (Lightning's `verbose` table would
        repeat it; `--results.path` and W&B keep every figure)."""
        return self.trainer.test(**(kwargs | {"verbose": False}))

    def predict(self, model, datamodule=None, ckpt_path=None, **kwargs):
        """`lightlm predict`; with `--predictions.histories FILE`, ranks that file's histories
        with the checkpoint alone (`lightlm.inference`), the same inputs `predict` would build."""
        writer = next(c for c in self.trainer.callbacks if isinstance(c, RecommendationWriter))
        if writer.histories is None:
            return self.trainer.predict(model, datamodule=datamodule, ckpt_path=ckpt_path, **kwargs)
        pairs = read_histories(writer.histories)
        rec = TrainedRecommender.load(ckpt_path, device=self.trainer.strategy.root_device)
        hp = model.hparams  # the checkpoint's, with this command's inference options
        try:
            frame = rec.recommend(
                pairs, k=hp.top_k, exclude_history=hp.exclude_train_items, num_beams=hp.get("num_beams")
            )
        except DataFormatError as e:
            raise DataFormatError(f"{writer.histories}: {e}") from None
        writer.write(frame, len(pairs))


def check_outputs(subcommand: str, cfg) -> None:
    """Refuse, before any data is read, a run that could not write what it produces, and a `fit`
    that would replace the checkpoints of an earlier one (a worse best.ckpt over a better)."""
    ckpt = cfg.get("checkpoint") or {}
    if subcommand == "fit":
        monitor = ckpt.get("monitor")
        if monitor is not None and monitor not in MONITORED_METRICS:
            raise ConfigError(
                f"--checkpoint.monitor {monitor!r} is not a metric the model logs; "
                f"choose one of {list(MONITORED_METRICS)}"
            )
        dirpath = ckpt.get("dirpath")
        if dirpath is not None:
            check_output_dir(dirpath, "--checkpoint.dirpath")
            earlier = sorted(p.name for p in Path(dirpath).glob("*.ckpt")) if Path(dirpath).is_dir() else []
            if earlier and cfg.get("ckpt_path") is None and not cfg.get("overwrite"):
                raise ConfigError(
                    f"--checkpoint.dirpath {dirpath} already holds {', '.join(earlier)} of an earlier fit; "
                    f"resume it with --ckpt_path {Path(dirpath) / 'last.ckpt'}, replace it with "
                    "--overwrite true, or choose another --checkpoint.dirpath"
                )
    elif subcommand == "predict":
        check_output_file(cfg["predictions"]["path"], "--predictions.path")
    else:
        results = (cfg.get("results") or {}).get("path")
        per_user = (cfg.get("results") or {}).get("per_user")
        if per_user is not None:
            check_output_file(per_user.replace("{stage}", subcommand), "--results.per_user")
        if results is not None:
            check_output_file(results.replace("{stage}", subcommand), "--results.path")
        elif ckpt.get("dirpath") is not None:  # ResultsWriter's default: beside the checkpoints
            check_output_file(Path(ckpt["dirpath"]).parent / f"{subcommand}_metrics.json", "--results.path")


@rank_zero_only
def say_scored(subcommand: str, path, model_name: str, checkpoint: dict) -> None:
    """One line naming the weights an evaluation scores, so no number is read without them."""
    print(
        f"lightlm {subcommand}: scoring {path} ({model_name}, epoch={checkpoint.get('epoch')}, "
        f"step={checkpoint.get('global_step')})"
    )


def _import(class_path: str) -> type:
    module, _, name = class_path.rpartition(".")
    return getattr(importlib.import_module(module), name)
