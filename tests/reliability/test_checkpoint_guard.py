"""Checkpoints carry their item index and the data's fingerprint; `test` or `predict` on other
data or another index is refused with one clear line, and checkpoints load with weights_only."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
from conftest import N_USERS, reference_args, run_main, tiny_config, write_config

from datamodules.item_index import ItemIndex
from datamodules.split import leave_one_out
from datamodules.synthetic import SyntheticConfig, generate


def _outputs(tmp):
    """Predictions, metrics and temporaries; the index cache of the data is legitimately built."""
    found = [p for p in tmp.rglob("*") if p.suffix in (".csv", ".json", ".tmp")]
    return sorted(p.name for p in found if p.parent.name != "cache" or p.suffix == ".tmp")


def test_checkpoint_carries_index_and_data_fingerprint(reference_run):
    ckpt = torch.load(reference_run.ckpt_dir / "best.ckpt", map_location="cpu", weights_only=True)
    index = ItemIndex.from_dict(ckpt["lightlm_index"], source="checkpoint")  # verifies the hash
    data = leave_one_out(generate(SyntheticConfig(n_users=N_USERS, n_items=80))).data
    assert index.data_fingerprint == data.fingerprint()
    assert (index.n_items, index.n_users) == (data.n_items, data.n_users)
    cached = ItemIndex.load(next((reference_run.dir / "cache").glob("*.json")))
    assert cached.content_hash() == index.content_hash()


@pytest.mark.parametrize("subcommand", ["test", "predict"])
def test_checkpoint_from_another_dataset_is_refused(reference_run, in_tmp, subcommand):
    code, err = run_main(subcommand, *reference_args(reference_run, in_tmp), "--data.synthetic.seed", "1")
    assert code == 2, err
    assert "lightlm: error: the checkpoint was trained on another dataset" in err
    assert "Traceback" not in err
    assert _outputs(in_tmp) == []  # no predictions, no metrics


def test_checkpoint_from_another_index_configuration_is_refused(reference_run, in_tmp):
    code, err = run_main("test", *reference_args(reference_run, in_tmp), "--data.indexer.base", "9")
    assert code == 2, err
    assert "trained on another index configuration" in err
    assert _outputs(in_tmp) == []


def test_edited_index_file_is_refused(reference_run, in_tmp):
    shutil.copytree(reference_run.dir / "cache", in_tmp / "cache")
    path = next((in_tmp / "cache").glob("*.json"))
    d = json.loads(path.read_text())
    d["item_codes"][0], d["item_codes"][1] = d["item_codes"][1], d["item_codes"][0]  # still unique
    path.write_text(json.dumps(d))
    code, err = run_main("test", *reference_args(reference_run, in_tmp))
    assert code == 2, err
    assert f"lightlm: error: {path}: content hash" in err
    assert "the index was edited or corrupted, delete it to rebuild" in err
    assert json.loads(path.read_text()) == d  # refused, not silently rewritten
    assert _outputs(in_tmp) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a checkpoint at all", "not a readable checkpoint"),
        ("truncated", "not a readable checkpoint"),
        ("foreign", "the checkpoint carries no item index"),
    ],
)
def test_unusable_checkpoint_file_is_refused(reference_run, in_tmp, content, message):
    path = in_tmp / "given.ckpt"
    if content == "truncated":
        path.write_bytes((reference_run.ckpt_dir / "best.ckpt").read_bytes()[:5000])
    elif content == "foreign":
        torch.save({"state_dict": {"w": torch.zeros(2)}}, path)
    else:
        path.write_bytes(content)
    code, err = run_main("test", *reference_args(reference_run, in_tmp), "--ckpt_path", str(path))
    assert code == 2, err
    assert f"lightlm: error: {path}: " in err and message in err
    assert "Traceback" not in err


def test_test_without_a_fit_says_what_to_do(reference_run, in_tmp):
    args = [*reference_args(reference_run, in_tmp), "--checkpoint.dirpath", str(in_tmp / "none")]
    code, err = run_main("test", *args)
    assert code == 2
    assert "--ckpt_path: no checkpoint at" in err and "run `lightlm fit`" in err


def test_checkpoints_are_loaded_with_weights_only(reference_run, in_tmp, monkeypatch):
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    code, err = run_main("test", *reference_args(reference_run, in_tmp))
    assert code == 0, err
    assert calls and all(w is True for w in calls), calls
    metrics = json.loads((in_tmp / "test_metrics.json").read_text())["metrics"]
    assert 0.0 < metrics["test/recall@20"] <= 1.0


def test_checkpoint_save_is_all_or_nothing(tmp_path, monkeypatch):
    """A save that dies before its rename leaves the previous checkpoint and no temporary."""
    from lightlm.checkpoints import AtomicCheckpointIO

    path = tmp_path / "last.ckpt"
    io = AtomicCheckpointIO()
    io.save_checkpoint({"step": torch.tensor(1)}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would, not mkstemp's 0600

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", killed)
    with pytest.raises(KeyboardInterrupt):
        io.save_checkpoint({"step": torch.tensor(2)}, path)
    assert torch.load(path, weights_only=True)["step"].item() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]


def test_inference_options_come_from_the_command_not_the_checkpoint(reference_run, in_tmp, monkeypatch):
    """Lightning would replace every model argument by the checkpoint's; beams, list length,
    exclusion and the prefix weight are ranking choices of this command, the network's shape is
    the checkpoint's."""
    import lightlm.generative as generative

    seen = []
    check = generative.GenerativeRecommender.check_data

    def record(self, dm):
        seen.append((self.hparams.num_beams, self.hparams.top_k, self.hparams.exclude_train_items,
                     self.hparams.prefix_weight, self.hparams.d_model))
        return check(self, dm)

    ranked_with = []
    recommend = generative.GenerativeRecommender.recommend

    def record_ranking(self, batch, stage):
        ranked_with.append(self.model.prefix_weight)
        return recommend(self, batch, stage)

    monkeypatch.setattr(generative.GenerativeRecommender, "check_data", record)
    monkeypatch.setattr(generative.GenerativeRecommender, "recommend", record_ranking)
    ckpt = str(reference_run.ckpt_dir / "best.ckpt")
    trained = torch.load(ckpt, map_location="cpu", weights_only=True)["hyper_parameters"]
    code, err = run_main("validate", *reference_args(reference_run, in_tmp), "--ckpt_path", ckpt,
                         "--model.num_beams", "41", "--model.top_k", "25",
                         "--model.exclude_train_items", "true", "--model.prefix_weight", "0.7",
                         "--model.d_model", "64")
    assert code == 0, err
    assert seen and set(seen) == {(41, 25, True, 0.7, trained["d_model"])}
    assert ranked_with and set(ranked_with) == {0.7}  # the network ranks with the command's weight


def test_a_resumed_fit_exports_where_its_own_command_says(tmp_path, monkeypatch):
    """A SASRec checkpoint's hyperparameters name the embedding file its run wrote; a fit resumed
    from it with another `--model.export_embeddings` writes there and leaves that file alone
    (Lightning would otherwise restore the checkpoint's path and overwrite the first run's file)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    cfg = tiny_config(trainer={"max_epochs": 1}, checkpoint={"dirpath": "ck", "every_n_train_steps": None})
    write_config(tmp_path / "run.yaml", cfg)
    sasrec = ["--model.class_path", "lightlm.sasrec.SASRec", "--model.d_model", "16",
              "--data.task", "sequential", "--data.history_len", "5"]  # fmt: skip
    code, err = run_main("fit", "--config", "run.yaml", *sasrec, "--model.export_embeddings", "first.parquet")
    assert code == 0, err[-3000:]
    first = (tmp_path / "first.parquet").read_bytes()
    code, err = run_main("fit", "--config", "run.yaml", *sasrec, "--ckpt_path", "ck/last.ckpt",
                         "--trainer.max_epochs", "2", "--model.export_embeddings", "second.parquet")
    assert code == 0, err[-3000:]
    assert (tmp_path / "first.parquet").read_bytes() == first
    assert (tmp_path / "second.parquet").read_bytes() != first  # the second epoch's vectors
