"""The main job end to end: `fit` then `test` on the embedded synthetic data, through LightLMCLI."""

import time
from pathlib import Path

import torch

from lightlm.cli.app import LightLMCLI, configure_wandb_env

CONF = Path(__file__).resolve().parents[2] / "conf" / "synthetic.yaml"


def _cli(*args):
    return LightLMCLI(args=list(args))


def test_fit_then_test_beats_popularity(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configure_wandb_env()
    common = ["--config", str(CONF), "--trainer.logger", "false", "--trainer.enable_progress_bar", "false",
              "--checkpoint.dirpath", str(tmp_path / "ck"), "--data.cache_dir", str(tmp_path / "cache")]
    # One intra-op thread: the model is small, and on a busy 2-core machine two OpenMP threads
    # waiting on each other cost more than they gain (we saw 5-10x swings in wall time).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start = time.perf_counter()
        _cli("fit", *common)
        assert (tmp_path / "ck" / "best.ckpt").is_file() and (tmp_path / "ck" / "last.ckpt").is_file()
        cli = _cli("test", *common)  # --ckpt_path defaults to the configured best.ckpt
        elapsed = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    m = {k: float(v) for k, v in cli.trainer.callback_metrics.items()}
    print(f"fit+test {elapsed:.0f}s", {k: round(v, 4) for k, v in m.items() if "@10" in k})
    # The model must clearly beat popularity ranking on the same split.
    assert m["test/recall@10"] >= 1.4 * m["test/popularity/recall@10"]
    assert m["test/ndcg@10"] >= 1.4 * m["test/popularity/ndcg@10"]
    assert m["test/recall@20"] >= m["test/recall@10"] >= m["test/recall@5"]
