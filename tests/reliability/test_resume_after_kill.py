"""A fit killed with SIGKILL mid-epoch and resumed from its last checkpoint ends exactly where the
uninterrupted run with the same seed ends: same weights, same test metrics (CPU)."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import time

import torch
from conftest import run_cli, run_main, start_cli, write_config

# Holds the run still at a known point mid-epoch, after a step checkpoint, so that the test can
# kill it there from outside; the pause itself changes nothing that is saved.
PAUSE_AT = textwrap.dedent(
    """
    import time
    from pathlib import Path

    from lightning.pytorch.callbacks import Callback


    class PauseAt(Callback):
        def __init__(self, epoch: int, batch: int, marker: str) -> None:
            self.epoch, self.batch, self.marker = epoch, batch, marker

        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            if trainer.current_epoch == self.epoch and batch_idx == self.batch:
                Path(self.marker).write_text(str(trainer.global_step))
                time.sleep(600)
    """
)


def _test_metrics(run_dir, config, ckpt):
    out = run_dir / "resume_test_metrics.json"
    code, err = run_main(
        "test", "--config", str(config), "--trainer.logger", "false",
        "--data.cache_dir", str(run_dir / "cache"), "--ckpt_path", str(ckpt), "--results.path", str(out),
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out.read_text())["metrics"]


def test_killed_fit_resumes_to_the_same_test_metrics(reference_run, tmp_path, monkeypatch):
    (tmp_path / "pause_at.py").write_text(PAUSE_AT)
    pause = {"class_path": "pause_at.PauseAt", "init_args": {"epoch": 1, "batch": 5, "marker": "paused"}}
    pause_config = write_config(tmp_path / "pause.yaml", {"trainer": {"callbacks": [pause]}})
    # The reference run's config and seed, without its logger (nothing it logs feeds back).
    fit = ["fit", "--config", str(reference_run.config), "--trainer.logger", "false"]
    last = tmp_path / "ck" / "last.ckpt"

    start = time.perf_counter()
    proc = start_cli(tmp_path, *fit, "--config", str(pause_config))
    try:
        while not (tmp_path / "paused").exists():
            if proc.poll() is not None:
                raise AssertionError(f"the run ended before the kill point:\n{proc.communicate()[1][-3000:]}")
            assert time.perf_counter() - start < 300, "the run never reached the kill point"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    # Killed mid-epoch: the last checkpoint is a step checkpoint inside epoch 1, behind the kill.
    state = torch.load(last, map_location="cpu", weights_only=True)
    killed_at = int((tmp_path / "paused").read_text())
    assert state["RecDataModule"]["train_epoch"] == 1 and 0 < state["RecDataModule"]["train_batches"]
    assert 0 < killed_at - state["global_step"] <= 2

    code, _, err = run_cli(tmp_path, *fit, "--ckpt_path", str(last))
    assert code == 0, err[-3000:]
    assert "dataloader is not resumable" not in err  # it is: the sampler resumes
    elapsed = time.perf_counter() - start

    reference = torch.load(reference_run.ckpt_dir / "last.ckpt", map_location="cpu", weights_only=True)
    resumed = torch.load(last, map_location="cpu", weights_only=True)
    assert resumed["global_step"] == reference["global_step"]
    for name, weight in reference["state_dict"].items():
        assert torch.equal(resumed["state_dict"][name], weight), name

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    expected = _test_metrics(tmp_path, reference_run.config, reference_run.ckpt_dir / "last.ckpt")
    assert _test_metrics(tmp_path, reference_run.config, last) == expected
    print(f"kill + resume: {elapsed:.0f}s; test/ndcg@10 {expected['test/ndcg@10']:.4f} in both runs")


def test_resumed_loader_skips_exactly_the_trained_batches():
    """The sampler behind the exact resume, without processes: epoch e's order depends only on
    (seed, e), and starting `start` samples in yields the rest of that same order."""
    from datamodules.training_order import ResumableSampler

    data = list(range(103))
    full = list(ResumableSampler(data, seed=5, epoch=3))
    assert sorted(full) == data and full != data
    assert list(ResumableSampler(data, seed=5, epoch=3, start=40)) == full[40:]
    resumed = ResumableSampler(data, seed=5, epoch=3, start=40)
    list(resumed)
    assert list(resumed) == full  # the skip applies once; the next pass is whole again
    shards = [list(ResumableSampler(data, seed=5, num_replicas=2, rank=r, epoch=3)) for r in (0, 1)]
    assert set(shards[0]) | set(shards[1]) == set(data)

