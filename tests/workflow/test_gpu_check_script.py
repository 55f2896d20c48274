"""benchmarks/gpu_check.sh, shrunk to a CPU smoke run: every stage it runs on the GPU machine
runs here too (tiny preset, synthetic data), so the script and the benchmarks it drives cannot rot
between the rare runs on a GPU. Stage 1 (pytest -m gpu) needs CUDA and stage 5 repeats stage 4
with the profiler; both are skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from datamodules.datamodule import RecDataModule
from indexers.sequential import SequentialIndexer
from kitbase.errors import IndexMismatchError
from lightlm.checkpoints import load_recommender

ROOT = Path(__file__).resolve().parents[2]
SMOKE = {
    "DATA": "synthetic",
    "CONFIG": "conf/synthetic.yaml",
    "PRESET": "tiny",
    "EPOCHS": "1",
    "ACCEL": "cpu",
    "PRECISION": "32-true",
    "SKIP": "1 5",
    "REF_USERS": "32",
    "EVAL_BATCH": "512",
    "TRAIN_PRESETS": "tiny",
    "TRAIN_VARIANTS": "eager",
    "TRAIN_STEPS": "2",
    "OMP_NUM_THREADS": "1",
}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    results = tmp_path_factory.mktemp("gpu_check")
    env = {**os.environ, **SMOKE, "PY": sys.executable, "RESULTS": str(results)}
    env.pop("OUT", None)
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh")],
        env=env,
        cwd=results,
        capture_output=True,
        text=True,
        timeout=400,
    )
    return results, done


def test_every_stage_of_the_gpu_script_runs_on_cpu(smoke_run):
    results, done = smoke_run
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = {p.stem: p.read_text().split()[0] for p in results.glob("stage*.status")}
    assert statuses == {"stage2": "0", "stage3": "0", "stage4": "0", "stage6": "0"}, done.stdout[-3000:]
    assert "stage 1: pytest -m gpu: skipped" in done.stdout
    metrics = json.loads((results / "test_metrics.json").read_text())["metrics"]
    assert 0 < metrics["test/recall@20"] <= 1


def test_decode_speed_decodes_the_checkpoint_it_was_given(smoke_run):
    results, _ = smoke_run
    decode = json.loads((results / "decode_speed_fp32.json").read_text())
    assert decode["ckpt"] == str(results / "ckpt" / "best.ckpt") and decode["preset"] == "tiny"
    assert (
        decode["check"]["mismatched"] == 0
        and decode["check"]["identical"] + decode["check"]["tie_swaps"] == 32
    )
    assert decode["kit_gflops"] > 0 and 0 < decode["kit_peak_fraction"] < 1
    train = json.loads((results / "train_speed.json").read_text())["rows"]
    assert [r["preset"] for r in train] == ["tiny"] and 0 < train[0]["peak_fraction"] < 1


def test_load_recommender_takes_weights_and_index_from_the_checkpoint(smoke_run):
    results, _ = smoke_run
    path = results / "ckpt" / "best.ckpt"
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    rec = load_recommender(path, RecDataModule(indexer=SequentialIndexer(), path=None))
    assert rec.index.content_hash() == checkpoint["lightlm_index"]["hash"]
    state = rec.state_dict()
    assert state.keys() == checkpoint["state_dict"].keys()
    assert all(torch.equal(state[k], v) for k, v in checkpoint["state_dict"].items())
    assert not rec.training


def test_load_recommender_refuses_a_checkpoint_that_does_not_fit(smoke_run):
    results, _ = smoke_run
    path = results / "ckpt" / "best.ckpt"
    with pytest.raises(IndexMismatchError, match="history length 5"):
        load_recommender(path, RecDataModule(
            indexer=SequentialIndexer(), path=None, task="sequential", history_len=5))
    from datamodules.synthetic import SyntheticConfig

    with pytest.raises(IndexMismatchError, match="trained on other data"):
        load_recommender(path, RecDataModule(
            indexer=SequentialIndexer(), path=None, synthetic=SyntheticConfig(seed=1)))


@pytest.mark.parametrize("script", ["decode_speed", "train_speed"])
def test_speed_benchmarks_refuse_a_missing_data_file(script, tmp_path):
    missing = tmp_path / "beauty" / "data.txt"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{script}.py"), "--data", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and f"--data: no file {missing}" in done.stderr
    assert not (tmp_path / "benchmarks").exists()
