"""Shared pieces of the reliability tests: tiny configs, the CLI in a subprocess or in-process,
a switch that takes the network away, and one reference `fit` that several tests reuse.

Runs are shrunk to a 201-user synthetic dataset and the `tiny` model so that a `fit` costs a
few seconds of CPU; most of a subprocess's time is importing torch and Lightning.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import yaml

from lightlm.cli import main

# Refuses every connection that would leave the machine and records the attempt; loopback and
# Unix sockets stay open (wandb's local service, DDP's rendezvous). Loaded by Python at startup
# from PYTHONPATH, so it covers the CLI process and anything it starts.
SITECUSTOMIZE = textwrap.dedent(
    '''
    import os
    import socket

    _LOG = os.environ["LIGHTLM_NET_LOG"]
    _LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}

    def _refuse(what):
        with open(_LOG, "a") as f:
            f.write(f"{os.getpid()} {what!r}\\n")
        raise ConnectionRefusedError(f"network disabled by the test: {what!r}")

    def _is_local(sock, address):
        if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
            return True
        host = address[0] if isinstance(address, tuple) else address
        return host in _LOCAL or str(host).startswith("127.")

    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        if not _is_local(self, address):
            _refuse(address)
        return _connect(self, address)

    def connect_ex(self, address):
        if not _is_local(self, address):
            _refuse(address)
        return _connect_ex(self, address)

    _getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        h = host.decode() if isinstance(host, bytes) else host
        if h not in _LOCAL and not str(h).startswith("127."):
            _refuse(("getaddrinfo", h))
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    '''
)


# An odd number of users, so that two DDP ranks hold shards of different sizes.
N_USERS = 201


def tiny_config(**overrides) -> dict:
    """A 2-epoch run of the tiny model on 201 synthetic users; `overrides` replace top-level
    sections key by key (`trainer={"max_epochs": 1}` keeps the other trainer settings)."""
    cfg = {
        "seed_everything": 7,
        "trainer": {
            "max_epochs": 2,
            "accelerator": "cpu",
            "devices": 1,
            "logger": False,
            "enable_progress_bar": False,
            "enable_model_summary": False,
        },
        "model": {"preset": "tiny"},
        "data": {
            "synthetic": {"n_users": N_USERS, "n_items": 80},
            "indexer": {"class_path": "indexers.sequential.SequentialIndexer", "init_args": {"base": 10}},
            "batch_size": 64,
            "eval_batch_size": 256,
            "cache_dir": "cache",
        },
        # Step checkpoints make a mid-epoch kill resumable (the kill test reuses this config).
        "checkpoint": {"dirpath": "ck", "every_n_train_steps": 2},
        "predictions": {"path": "predictions.csv"},
    }
    for section, values in overrides.items():
        if isinstance(values, dict) and isinstance(cfg.get(section), dict):
            cfg[section] = {**cfg[section], **values}
        else:
            cfg[section] = values
    return cfg


def write_config(path: Path, cfg: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


@functools.lru_cache(maxsize=1)
def network_namespace() -> list[str]:
    """`unshare` into a network namespace with only loopback, where the system allows it."""
    if shutil.which("unshare") is None:
        return []
    try:
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return []
    lo_up = "ip link set lo up 2>/dev/null; " if shutil.which("ip") else ""
    return ["unshare", "-rn", "sh", "-c", lo_up + 'exec "$@"', "sh"]


def cli_env(offline_dir: Path | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: no W&B settings inherited (the kit's own offline
    default applies), one thread per process (2 shared cores), optionally no network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    if offline_dir is not None:
        offline_dir.mkdir(parents=True, exist_ok=True)
        (offline_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(offline_dir), env.get("PYTHONPATH")]))
        env["LIGHTLM_NET_LOG"] = str(offline_dir / "attempts.log")
        # Anything that ignores Python's socket module (wandb's Go service) and honours proxies
        # fails fast instead of waiting on a timeout.
        for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env[key] = "http://127.0.0.1:9"
    return env


def start_cli(cwd: Path, *args: str, offline_dir: Path | None = None, **popen) -> subprocess.Popen:
    prefix = network_namespace() if offline_dir is not None else []
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "lightlm.cli", *args],
        cwd=cwd,
        env=cli_env(offline_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def run_cli(cwd: Path, *args: str, offline_dir: Path | None = None, timeout: float = 300):
    """`lightlm ARGS` in a subprocess: (returncode, stdout, stderr)."""
    proc = start_cli(cwd, *args, offline_dir=offline_dir)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"lightlm {' '.join(args)} timed out after {timeout}s:\n{err[-3000:]}")
    return proc.returncode, out, err


def run_main(*args: str) -> tuple[int, str]:
    """`lightlm.cli.main(ARGS)` in this process: (exit code, stderr). Faster than a subprocess
    (no second import of torch) for runs that end early; the caller chdirs to a tmp dir."""
    code, _, err = run_main_out(*args)
    return code, err


def run_main_out(*args: str) -> tuple[int, str, str]:
    """`run_main`, also returning what was printed: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv, sys.argv = sys.argv, ["lightlm", *args]  # LightningCLI warns when pytest's argv differ
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        finally:
            sys.argv = argv
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def torch_threads(n: int):
    """Evaluate with the thread count the CLI subprocesses use, for bit-equal comparisons."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class ReferenceRun:
    """An uninterrupted `fit` of `tiny_config()` with the kit's default logger (offline W&B),
    run with the network taken away."""

    dir: Path
    config: Path
    returncode: int
    stderr: str
    seconds: float
    attempts: str  # connection attempts the network switch refused (should be empty)

    @property
    def ckpt_dir(self) -> Path:
        return self.dir / "ck"


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory) -> ReferenceRun:
    root = tmp_path_factory.mktemp("reference")
    cfg = tiny_config()
    # No `trainer.logger` in the file: the kit's default (WandbLogger, offline, under runs/).
    del cfg["trainer"]["logger"]
    config = write_config(root / "config.yaml", cfg)
    net = root / "net"
    start = time.perf_counter()
    code, _, err = run_cli(root, "fit", "--config", str(config), offline_dir=net)
    log = net / "attempts.log"
    if code != 0:
        pytest.fail(f"the reference fit failed (exit {code}):\n{err[-3000:]}")
    return ReferenceRun(
        root, config, code, err, time.perf_counter() - start, log.read_text() if log.exists() else ""
    )


def reference_args(ref: ReferenceRun, tmp: Path) -> list[str]:
    """Arguments that point a run at the reference checkpoints but keep its outputs in `tmp`."""
    return [
        "--config", str(ref.config),
        "--trainer.logger", "false",
        "--checkpoint.dirpath", str(ref.ckpt_dir),
        "--data.cache_dir", str(tmp / "cache"),
        "--predictions.path", str(tmp / "predictions.csv"),
        "--results.path", str(tmp / "{stage}_metrics.json"),
    ]  # fmt: skip


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run in-process CLI calls from a fresh directory, with W&B out of the way."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    return tmp_path
