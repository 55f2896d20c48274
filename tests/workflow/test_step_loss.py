"""benchmarks/step_loss.py on a tiny item-step model: its per-step likelihoods add up to the exact
scorer's log-probability of the target, its hit rates are ordered, and it refuses a non-generative
checkpoint and a missing file; a SASRec-CE reference read under the same codes adds up to its own
full-softmax likelihood."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import lightning as L
import numpy as np
import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig, generate
from indexers.sequential import SequentialIndexer
from indexers.spectral import SpectralIndexer
from lightlm.checkpoints import load_recommender
from lightlm.decoding.exact import exact_log_probs
from lightlm.generative import GenerativeRecommender
from lightlm.sasrec import SASRec

ROOT = Path(__file__).resolve().parents[2]
HISTORY = 5


@pytest.fixture(scope="module")
def step_loss():
    spec = importlib.util.spec_from_file_location("step_loss_benchmark", ROOT / "benchmarks" / "step_loss.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _fit(model, data: Path, indexer, out: Path) -> Path:
    dm = RecDataModule(indexer=indexer, path=str(data), task="sequential", history_len=HISTORY,
                       train_windows=True, batch_size=64, cache_dir=str(out.parent / "cache"))
    L.seed_everything(0)
    trainer = L.Trainer(max_epochs=3, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, default_root_dir=out.parent)
    trainer.fit(model, datamodule=dm)
    trainer.save_checkpoint(out)
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A P5 file of synthetic community data and a 3-epoch item-step model (co-SCI prefix 1)."""
    root = tmp_path_factory.mktemp("step_loss")
    seqs = generate(SyntheticConfig(n_users=150, n_items=60, n_communities=3, seed=2)).sequences
    lines = [" ".join(map(str, [u + 1, *(seqs.items[seqs.offsets[u]:seqs.offsets[u + 1]] + 1)]))
             for u in range(seqs.n_users)]
    data = root / "data.txt"
    data.write_text("\n".join(lines) + "\n")
    model = GenerativeRecommender(preset="tiny", num_beams=20, history_input="items+ids", causal_encoder=True,
                                  last_step="item", prefix_len=1, item_softmax="siblings", lr=3e-3,
                                  label_smoothing=0.1)
    ckpt = _fit(model, data, SpectralIndexer(n_clusters=3, max_cluster_size=30), root / "gen.ckpt")
    return data, ckpt


def test_step_likelihoods_add_up_to_the_exact_scorers(step_loss, trained, tmp_path, capsys):
    data, ckpt = trained
    out = tmp_path / "steps.json"
    step_loss.main(["--data", str(data), "--ckpt", str(ckpt), "--history-len", str(HISTORY),
                    "--samples", "100000", "--json", str(out)])
    report = json.loads(out.read_text())["checkpoints"][str(ckpt)]
    val = report["validate"]
    assert len(val["nll"]) == 2 and val["targets"] == 150  # cluster step, item step; every user
    # By the exact scorer: -log p(target) of each validation user, summed over its code.
    dm = RecDataModule(indexer=SequentialIndexer(), path=str(data), task="sequential", history_len=HISTORY,
                       train_windows=True)
    rec = load_recommender(ckpt, dm)
    batch = dm.dataset("validate").__getitems__(list(range(150)))
    with torch.no_grad():
        logp = exact_log_probs(rec.model, rec.encoder_input(batch), rec.trie)
    exact_nll = -logp.gather(1, batch["target"][:, None]).mean()
    assert sum(val["nll"]) == pytest.approx(float(exact_nll), rel=1e-4)
    for split in ("fit", "validate"):
        r = report[split]
        assert all(0 <= h1 <= h20 <= 1 for h1, h20 in zip(r["hit@1"], r["hit@20"]))
    assert report["fit"]["hit@20"][0] == 1.0  # 4 first tokens (3 clusters and a spare), all within 20
    assert report["fit"]["nll"][1] < np.log(30)  # better than uniform over a cluster's items
    assert "val hit@20" in capsys.readouterr().out


@pytest.fixture(scope="module")
def sasrec(trained, tmp_path_factory):
    data, _ = trained
    return _fit(SASRec(d_model=16, n_layers=1, n_heads=1, d_ff=32, max_len=HISTORY), data,
                SequentialIndexer(), tmp_path_factory.mktemp("sasrec") / "sasrec.ckpt")


def test_reference_steps_add_up_to_its_softmax(step_loss, trained, sasrec, tmp_path, capsys):
    data, ckpt = trained
    out = tmp_path / "steps.json"
    step_loss.main(["--data", str(data), "--ckpt", str(ckpt), "--history-len", str(HISTORY),
                    "--samples", "100000", "--reference", str(sasrec), "--json", str(out)])
    report = json.loads(out.read_text())["reference_under_codes"][str(ckpt)]
    dm = RecDataModule(indexer=SequentialIndexer(), path=str(data), task="sequential", history_len=HISTORY,
                       train_windows=True)
    ref = load_recommender(sasrec, dm)
    batch = dm.dataset("validate").__getitems__(list(range(150)))
    with torch.no_grad():
        logp = torch.log_softmax(ref.scores(batch).double(), dim=1)
    target_nll = -logp.gather(1, batch["target"][:, None])
    val = report["validate"]
    assert len(val["nll"]) == 2 and val["targets"] == 150
    assert sum(val["nll"]) == pytest.approx(float(target_nll.mean()), rel=1e-4)
    # Its item-step rank, by hand: items of the target's cluster more probable than the target.
    gen = load_recommender(ckpt, RecDataModule(indexer=SequentialIndexer(), path=str(data), task="sequential",
                                               history_len=HISTORY, train_windows=True))
    cluster = gen.trie.item_path[:, 0]
    target = batch["target"]
    same = cluster[None, :] == cluster[target][:, None]
    beaten = (same & (logp > logp.gather(1, target[:, None]))).sum(1)
    assert val["hit@1"][1] == pytest.approx(float((beaten == 0).double().mean()))
    assert report["fit"]["hit@20"][0] == 1.0  # 4 first tokens, all within 20
    assert report["fit"]["targets"] == json.loads(out.read_text())["checkpoints"][str(ckpt)]["fit"]["targets"]
    assert "read under these codes" in capsys.readouterr().out


def test_step_loss_refuses_sasrec_and_missing_files(step_loss, trained, sasrec, tmp_path):
    data, ckpt = trained
    with pytest.raises(SystemExit, match="holds a SASRec, not the generative model"):
        step_loss.main(["--data", str(data), "--ckpt", str(sasrec), "--history-len", str(HISTORY)])
    with pytest.raises(SystemExit, match="holds a GenerativeRecommender, not SASRec-CE"):
        step_loss.main(["--data", str(data), "--ckpt", str(ckpt), "--history-len", str(HISTORY),
                        "--reference", str(ckpt)])
    with pytest.raises(SystemExit):
        step_loss.main(["--data", str(tmp_path / "none.txt"), "--ckpt", str(sasrec)])
