"""The README's commands for the best configuration on a user's own P5 file, end to end.

The README gives three commands for "other data": fit SASRec-CE (the teacher and the baseline)
exporting its item embeddings, fit the distilled student pointed at the teacher's checkpoint and
embeddings, then test the student; a user then ranks with `predict`. They run here as written, on the
shipped Beauty configs, with only the data file, the run folders, the epochs and the batch size
changed, so a config edit that breaks the chain (an option renamed, a path that no longer composes)
fails here rather than on a user's data.
"""

from pathlib import Path

import polars as pl
import torch

from datamodules.synthetic import SyntheticConfig, generate
from lightlm.cli.app import LightLMCLI, configure_wandb_env

CONF = Path(__file__).resolve().parents[2] / "conf"


def _write_p5(path: Path) -> None:
    """A synthetic dataset as a P5 file (`user item item ...` per line, chronological), its ids
    offset so that they cannot coincide with the kit's 0-based indices."""
    data = generate(SyntheticConfig(n_users=1200, n_items=300, seed=5))
    s = data.sequences
    lines = [" ".join([str(1000 + u), *(str(5000 + i) for i in s.items[s.offsets[u]:s.offsets[u + 1]])])
             for u in range(len(s.offsets) - 1)]
    path.write_text("\n".join(lines) + "\n")


def _run(*args) -> dict[str, float]:
    cli = LightLMCLI(args=list(args))
    return {k: float(v) for k, v in cli.trainer.callback_metrics.items()}


def test_readme_teacher_then_distilled_student_on_a_p5_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configure_wandb_env()
    data = tmp_path / "my.txt"
    _write_p5(data)
    common = ["--data.path", str(data), "--data.cache_dir", str(tmp_path / "cache"),
              "--trainer.logger", "false", "--trainer.enable_progress_bar", "false",
              "--trainer.max_epochs", "5", "--data.val_users", "null", "--data.batch_size", "64"]
    teacher, student = tmp_path / "runs" / "my-sasrec", tmp_path / "runs" / "my-distilled"
    embeddings = teacher / "item_embeddings.parquet"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small models: one thread is faster on a shared 2-core machine
    try:
        baseline = _run("fit", "--config", str(CONF / "beauty-sasrec-windows.yaml"), *common,
             "--checkpoint.dirpath", str(teacher), "--model.init_args.export_embeddings", str(embeddings))
        student_args = ["--config", str(CONF / "beauty-distilled.yaml"), *common, "--checkpoint.dirpath",
                        str(student), "--data.indexer.init_args.embeddings", str(embeddings)]
        _run("fit", *student_args, "--model.init_args.distill_from", str(teacher / "last.ckpt"))
        tested = _run("test", *student_args)
        _run("predict", *student_args, "--predictions.path", str(student / "predictions.csv"))
    finally:
        torch.set_num_threads(threads)
    print({k: round(v, 4) for k, v in (baseline | tested).items() if "ndcg@10" in k})
    # It ranks well above popularity on the held-out items of the user's own file.
    assert tested["test/ndcg@10"] >= 1.4 * tested["test/popularity/ndcg@10"], tested
    # Its recommendations name the file's own user and item ids, never the kit's indices.
    recs = pl.read_csv(student / "predictions.csv")
    assert recs["user"].n_unique() == 1200 and recs["user"].min() == 1000
    assert recs["item"].min() >= 5000 and recs["item"].max() < 5300
    assert recs.group_by("user").len()["len"].max() == 20  # top_k of the config
    # The student's checkpoint carries no teacher weights: it is the same network as an untaught one.
    saved = torch.load(student / "best.ckpt", map_location="cpu", weights_only=True)
    assert saved["state_dict"] and not [k for k in saved["state_dict"] if "teacher" in k]
    assert saved["hyper_parameters"]["distill_from"] == str(teacher / "last.ckpt")  # taught by this teacher
