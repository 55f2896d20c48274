"""What LightLMCLI adds to LightningCLI through its public hooks (`init_parser`,
`instantiate_trainer`, `before_instantiate_classes`), checked on the parsers and trainers the
command really builds, so that a Lightning upgrade that stops calling a hook fails here."""

import pytest
from lightning.pytorch.callbacks import RichProgressBar

from lightlm.callbacks.metrics_table import MetricsTable
from lightlm.callbacks.wandb_report import WandbReport
from lightlm.checkpoints import AtomicCheckpointIO
from lightlm.cli import main
from lightlm.cli.app import LightLMCLI


def _help(capsys, *args) -> str:
    with pytest.raises(SystemExit) as e:
        main([*args, "--help"])
    assert e.value.code == 0
    return capsys.readouterr().out


def test_overwrite_is_an_option_of_fit_only(capsys):
    fit = _help(capsys, "fit")
    assert "--overwrite {true,false}" in fit
    assert "replace the checkpoints of an earlier fit" in " ".join(fit.split())
    assert "--overwrite" not in _help(capsys, "validate")


def test_trainer_gets_the_kits_callbacks_and_atomic_checkpoints():
    trainer = LightLMCLI(run=False, args=["--trainer.logger", "false"]).trainer
    kinds = [type(c) for c in trainer.callbacks]
    assert RichProgressBar in kinds and MetricsTable in kinds and WandbReport in kinds
    assert isinstance(trainer.strategy.checkpoint_io, AtomicCheckpointIO)


def test_no_rich_bar_when_bars_are_off():
    args = ["--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
    trainer = LightLMCLI(run=False, args=args).trainer
    assert trainer.progress_bar_callback is None
    assert MetricsTable in [type(c) for c in trainer.callbacks]
