"""conf/sweeps/*.yaml are valid W&B sweep configurations whose every run `lightlm fit` accepts.

The structural check follows the W&B sweep JSON schema (the `sweeps` package's
config/schema.json), and the package's own validator runs too (`sweeps` is a dev extra). Each parameter
setting a sweep can produce is rendered into arguments exactly as `wandb agent` does, then parsed
and instantiated by the LightLMCLI parser (no training).
"""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import pytest
import yaml
from wandb.sdk.launch.sweeps.utils import create_sweep_command_args

from datamodules.datamodule import RecDataModule
from lightlm.cli.app import LightLMCLI
from lightlm.recommender import DEFAULT_MONITOR, Recommender

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = sorted((ROOT / "conf" / "sweeps").glob("*.yaml"))

TOP_KEYS = {
    "apiVersion", "kind", "controller", "description", "program", "entity", "project", "method",
    "command", "name", "metric", "early_terminate", "parameters",
}
MACROS = {
    "${env}", "${interpreter}", "${program}", "${args}", "${args_no_hyphens}", "${args_json}",
    "${args_json_file}", "${args_no_boolean_flags}", "${args_no_equals}",
}
# distribution -> (required keys, allowed keys), from the schema's param_* definitions.
DISTRIBUTIONS = {
    "categorical": ({"values"}, {"values"}),
    "constant": ({"value"}, {"value"}),
    "categorical_w_probabilities": ({"values", "probabilities"}, {"values", "probabilities"}),
    "int_uniform": ({"min", "max"}, {"min", "max"}),
    "uniform": ({"min", "max"}, {"min", "max"}),
    "q_uniform": ({"min", "max"}, {"min", "max", "q"}),
    "log_uniform": ({"min", "max"}, {"min", "max"}),
    "log_uniform_values": ({"min", "max"}, {"min", "max"}),
    "inv_log_uniform": ({"min", "max"}, {"min", "max"}),
    "inv_log_uniform_values": ({"min", "max"}, {"min", "max"}),
    "q_log_uniform": ({"min", "max"}, {"min", "max", "q"}),
    "q_log_uniform_values": ({"min", "max"}, {"min", "max", "q"}),
    "normal": (set(), {"mu", "sigma"}),
    "log_normal": (set(), {"mu", "sigma"}),
    "q_normal": (set(), {"mu", "sigma", "q"}),
    "q_log_normal": (set(), {"mu", "sigma", "q"}),
    "beta": (set(), {"a", "b"}),
    "q_beta": (set(), {"a", "b", "q"}),
}
GRID_OK = {"categorical", "constant", "int_uniform", "q_uniform"}  # what grid search can enumerate


def _distribution(spec: dict) -> str:
    if "distribution" in spec:
        return spec["distribution"]
    if "values" in spec:
        return "categorical_w_probabilities" if "probabilities" in spec else "categorical"
    if "value" in spec:
        return "constant"
    if {"min", "max"} <= spec.keys():  # W&B infers int_uniform or uniform from the bounds' type
        return "int_uniform" if all(isinstance(spec[k], int) for k in ("min", "max")) else "uniform"
    raise AssertionError(f"parameter spec {spec} names no distribution, values or value")


def structural_violations(sweep: dict) -> list[str]:
    errors = []
    if not isinstance(sweep, dict):
        return ["a sweep configuration is a mapping"]
    errors += [f"unknown top-level key {k!r}" for k in sweep.keys() - TOP_KEYS]
    errors += [f"missing {k!r}" for k in ("method", "parameters") if k not in sweep]
    method = sweep.get("method")
    if method not in ("grid", "random", "bayes", "custom"):
        errors.append(f"method {method!r} is not grid, random, bayes or custom")
    metric = sweep.get("metric")
    if method == "bayes" and not metric:
        errors.append("bayes search needs a metric")
    if metric is not None:
        if not isinstance(metric.get("name"), str):
            errors.append("metric.name must be a string")
        if metric.get("goal", "minimize") not in ("minimize", "maximize"):
            errors.append(f"metric.goal {metric.get('goal')!r} is not minimize or maximize")
        errors += [f"unknown metric key {k!r}" for k in metric.keys() - {"name", "goal", "target", "impute"}]
    params = sweep.get("parameters") or {}
    if not params:
        errors.append("parameters must not be empty")
    for name, spec in params.items():
        if not isinstance(spec, dict):
            errors.append(f"{name}: a parameter is a mapping")
            continue
        dist = _distribution(spec)
        if dist not in DISTRIBUTIONS:
            errors.append(f"{name}: unknown distribution {dist!r}")
            continue
        required, allowed = DISTRIBUTIONS[dist]
        errors += [f"{name}: {dist} needs {k!r}" for k in required - spec.keys()]
        errors += [f"{name}: {dist} takes no {k!r}" for k in spec.keys() - allowed - {"distribution"}]
        if "values" in spec and not (isinstance(spec["values"], list) and spec["values"]):
            errors.append(f"{name}: values must be a non-empty list")
        if {"min", "max"} <= spec.keys() and not spec["min"] < spec["max"]:
            errors.append(f"{name}: min must be below max")
        if "log" in dist and "values" in dist and spec.get("min", 1) <= 0:
            errors.append(f"{name}: {dist} needs a positive min")
        if method == "grid" and dist not in GRID_OK:
            errors.append(f"{name}: grid search cannot enumerate a {dist} distribution")
    command = sweep.get("command")
    if command is not None:
        if not isinstance(command, list):
            errors.append("command must be a list")
        else:
            errors += [f"unknown macro {c}" for c in command if str(c).startswith("${") and c not in MACROS]
            if "${args}" not in command:
                errors.append("command must pass the sampled parameters with ${args}")
    return errors


def settings(sweep: dict, n_random: int = 8, seed: int = 0) -> list[dict]:
    """Every combination of discrete values, each continuous parameter at its bounds and at
    random points in between (the only settings W&B could propose, up to interpolation)."""
    rng = random.Random(seed)
    params = sweep["parameters"]
    choices = {}
    for name, spec in params.items():
        dist = _distribution(spec)
        if "values" in spec:
            choices[name] = list(spec["values"])
        elif "value" in spec:
            choices[name] = [spec["value"]]
        elif dist == "int_uniform":
            choices[name] = list(range(spec["min"], spec["max"] + 1))
        elif dist == "log_uniform_values":
            lo, hi = math.log(spec["min"]), math.log(spec["max"])
            inner = [math.exp(rng.uniform(lo, hi)) for _ in range(n_random)]
            choices[name] = [spec["min"], spec["max"], *inner]
        elif dist == "uniform":
            inner = [rng.uniform(spec["min"], spec["max"]) for _ in range(n_random)]
            choices[name] = [spec["min"], spec["max"], *inner]
        else:
            raise AssertionError(f"{name}: extend the test to sample {dist}")
    discrete = [n for n in choices if len(choices[n]) and not isinstance(params[n].get("min"), float)]
    out = []
    for combo in itertools.product(*(choices[n] for n in discrete)):
        setting = dict(zip(discrete, combo, strict=True))
        for n in choices.keys() - set(discrete):  # continuous: cycle through its points
            setting[n] = choices[n][len(out) % len(choices[n])]
        out.append(setting)
    return out


def agent_args(sweep: dict, setting: dict) -> list[str]:
    """The argv after `lightlm fit`, rendered the way `wandb agent` fills the command macros."""
    rendered = create_sweep_command_args({"args": {k: {"value": v} for k, v in setting.items()}})
    argv = []
    for chunk in sweep["command"]:
        if chunk == "${args}":
            argv += rendered["args"]
        elif chunk != "${env}":
            argv.append(str(chunk))
    assert argv[:2] == ["lightlm", "fit"], f"the sweep must run `lightlm fit`, got {argv[:2]}"
    return argv[2:]


@pytest.fixture(scope="module")
def cli() -> LightLMCLI:
    return LightLMCLI(
        Recommender, RecDataModule, subclass_mode_model=True, run=False,
        args=["--config", str(ROOT / "conf" / "beauty.yaml"), "--trainer.logger", "false"],
    )


def test_both_sweeps_exist():
    assert {p.name for p in SWEEPS} >= {"grid.yaml", "bayes.yaml"}


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_sweep_is_a_valid_wandb_sweep_configuration(path):
    sweep = yaml.safe_load(path.read_text())
    assert structural_violations(sweep) == []
    assert sweep["metric"] == {"name": "val/best_ndcg@10", "goal": "maximize"}
    # WandbReport's summary figure of the metric the checkpoints are chosen by
    assert sweep["metric"]["name"] == DEFAULT_MONITOR.replace("val/", "val/best_", 1)


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_sweep_passes_the_official_wandb_schema(path):
    import sweeps  # a dev extra: missing means the environment is not the documented one

    assert sweeps.schema_violations_from_proposed_config(yaml.safe_load(path.read_text())) == []


def test_structural_check_catches_broken_sweeps():
    good = yaml.safe_load((ROOT / "conf/sweeps/grid.yaml").read_text())
    assert structural_violations({**good, "method": "annealing"})
    for bad in (
        {"distribution": "uniform", "min": 0.1},  # no max
        {"min": 0.1, "max": 0.5, "values": [1]},  # two kinds at once
        {"distribution": "log_uniform_values", "min": 0.0, "max": 0.1},  # log of 0
    ):
        assert structural_violations({**good, "parameters": {"model.lr": bad}}), bad
    assert structural_violations({**good, "parameters": {"model.lr": {"min": 0.001, "max": 0.1}}})  # grid
    assert structural_violations({**good, "command": ["lightlm", "fit"]})
    assert structural_violations({**good, "metric": {"name": "val/ndcg@10", "goal": "max"}})


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_every_setting_of_the_sweep_is_accepted_by_the_cli(cli, path):
    sweep = yaml.safe_load(path.read_text())
    combos = settings(sweep)
    assert combos
    for setting in combos:
        argv = agent_args(sweep, setting)
        cfg = cli.parser.parse_args(argv)  # exits (SystemExit) on an unknown option or bad value
        for name, value in setting.items():
            if name.startswith("model."):
                assert cfg.model.init_args[name.removeprefix("model.")] == pytest.approx(value), name
        init = cli.parser.instantiate_classes(cfg)  # constructors validate (shape, lr, indexer)
        indexer = type(init.data.indexer)
        expected = setting.get("data.indexer", cfg.data.indexer.class_path)
        assert f"{indexer.__module__}.{indexer.__name__}" == expected


@pytest.mark.parametrize("path", sorted((ROOT / "conf").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_builds_its_model_and_data(path):
    """Each conf/*.yaml parses and instantiates: a renamed option fails here, not in a user's run."""
    cli = LightLMCLI(
        Recommender, RecDataModule, subclass_mode_model=True, run=False,
        args=["--config", str(path), "--trainer.logger", "false"],
    )
    assert isinstance(cli.model, Recommender) and isinstance(cli.datamodule, RecDataModule)
    cli.model.check_data(cli.datamodule)  # the model/data combination is accepted
