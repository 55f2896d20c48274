"""Distillation from SASRec-CE (`--model.distill_from`): the soft targets of each decoding step
against a hand computation, the student's training loss against a loop over its targets, the
teacher never saved with the student, and the refusals (missing file, wrong class, other data,
a layout it does not serve)."""

from __future__ import annotations

import lightning as L
import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig, generate
from indexers.spectral import SpectralIndexer
from kitbase.errors import ConfigError, IndexMismatchError
from lightlm.distillation import code_step_targets, item_step_targets
from lightlm.generative import GenerativeRecommender
from lightlm.networks.tokens import BOS
from lightlm.sasrec import SASRec, load_teacher

HISTORY = 5


def test_code_step_targets_sum_the_teachers_mass_per_token_within_the_targets_prefix():
    probs = torch.tensor([[0.1, 0.2, 0.3, 0.4]])
    item_tokens = torch.tensor([[10, 20], [10, 21], [11, 22], [11, 23]])  # two clusters of two items
    target = torch.tensor([[11, 23]])
    first = code_step_targets(probs, item_tokens, torch.tensor([0, 0, 1, 1]), target, 0, width=3)
    torch.testing.assert_close(first, torch.tensor([[0.3, 0.7, 0.0]]))
    second = code_step_targets(probs, item_tokens, torch.tensor([0, 1, 2, 3]), target, 1, width=4)
    torch.testing.assert_close(second, torch.tensor([[0.0, 0.0, 3 / 7, 4 / 7]]))


def test_item_step_targets_are_the_teachers_softmax_over_the_candidates():
    logits = torch.tensor([[0.0, 1.0, 2.0, 3.0]])
    out = item_step_targets(logits, torch.tensor([[3, 1, 0]]), torch.tensor([[True, True, False]]))
    e3, e1 = torch.exp(torch.tensor(3.0)), torch.exp(torch.tensor(1.0))
    torch.testing.assert_close(out, torch.stack([e3, e1, torch.tensor(0.0)])[None] / (e3 + e1))


def _data(root, seed: int):
    seqs = generate(SyntheticConfig(n_users=150, n_items=60, n_communities=3, seed=seed)).sequences
    lines = [" ".join(map(str, [u + 1, *(seqs.items[seqs.offsets[u]:seqs.offsets[u + 1]] + 1)]))
             for u in range(seqs.n_users)]
    path = root / f"data{seed}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def _datamodule(path, root):
    dm = RecDataModule(indexer=SpectralIndexer(n_clusters=3, max_cluster_size=30), path=str(path),
                       task="sequential", history_len=HISTORY, train_windows=True, batch_size=64,
                       cache_dir=str(root / "cache"))
    return dm


def _taught(model, teacher):
    """`model` built for the teacher fixture's data and given its teacher, as `setup("fit")` does;
    returns the datamodule and the training windows of its first 20 users."""
    root, data, ckpt = teacher
    dm = _datamodule(data, root)
    dm.setup("fit")
    model.attach(dm.index, dm.split, dm.history_len)
    model._teacher.append(load_teacher(ckpt, dm.split, dm.history_len))
    return dm, dm.dataset("fit").__getitems__(list(range(20)))


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    """A P5 file of synthetic data and a SASRec-CE trained on it for 2 epochs, saved as `lightlm fit` does."""
    root = tmp_path_factory.mktemp("distil")
    data = _data(root, seed=2)
    L.seed_everything(0)
    model = SASRec(d_model=16, n_layers=1, n_heads=1, d_ff=32, dropout=0.0, max_len=HISTORY, lr=1e-2)
    trainer = L.Trainer(max_epochs=2, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, default_root_dir=root)
    trainer.fit(model, datamodule=_datamodule(data, root))
    ckpt = root / "sasrec.ckpt"
    trainer.save_checkpoint(ckpt)
    return root, data, ckpt


def _student(**kw):
    return GenerativeRecommender(preset="tiny", history_input="items+ids", causal_encoder=True,
                                 user_input=False, last_step="item", prefix_len=1, item_softmax="siblings",
                                 dropout=0.0, **kw)


@pytest.mark.parametrize(("temperature", "catalogue"), [(1.0, 0.0), (2.0, 0.0), (1.0, 0.5)])
def test_student_loss_mixes_each_steps_cross_entropy_with_the_teachers_soft_targets(teacher, temperature,
                                                                                     catalogue):
    student = _student(distill_from=str(teacher[2]), distill_weight=0.25, distill_temperature=temperature,
                       distill_catalogue=catalogue)
    dm, batch = _taught(student, teacher)
    student.train()
    with torch.no_grad():
        loss = student.model_step(batch)
        states, items, _ = student.window_states(batch)
        t_logits, _ = student._teacher[0].target_logits(batch)
        code_logits = student.model.logits(states[:, :1], slice(0, 1))[:, 0]
        item_logits = student.model.item_logits(states[:, -1])
    # By a loop over the targets: cluster step over the 3 clusters' tokens, item step over the
    # target's cluster, each (1 - w) * own cross-entropy + w * the soft cross-entropy of the
    # teacher's logits divided by the temperature; with `distill_catalogue` c, the item step adds
    # c * the soft cross-entropy of the teacher's softmax over every item.
    t_logits = t_logits / temperature
    cluster_of = student.item_tokens[:, 0]
    column_of = student.local_index[cluster_of]
    total = []
    for r, item in enumerate(items.tolist()):
        p_teacher = t_logits[r].softmax(-1)
        logp = code_logits[r].log_softmax(-1)
        soft = sum(-p_teacher[i] * logp[column_of[i]] for i in range(dm.index.n_items))
        own = -logp[column_of[item]]
        cluster = 0.75 * own + 0.25 * soft
        siblings = [i for i in range(dm.index.n_items) if cluster_of[i] == cluster_of[item]]
        logq = item_logits[r, siblings].log_softmax(-1)
        q_teacher = t_logits[r, siblings].softmax(-1)
        item_soft = -(q_teacher * logq).sum()
        item_own = -logq[siblings.index(item)]
        item_catalogue = -(p_teacher * item_logits[r].log_softmax(-1)).sum()
        total += [cluster, 0.75 * item_own + 0.25 * item_soft + catalogue * item_catalogue]
    assert len(items) > 20  # windows: several targets per user
    expected = torch.stack([torch.as_tensor(t) for t in total]).mean()
    torch.testing.assert_close(loss, expected, rtol=1e-4, atol=1e-5)
    student.eval()
    with torch.no_grad():  # validation's loss is the student's own, never the teacher's
        plain = _student()
        plain.attach(dm.index, dm.split, dm.history_len)
        plain.load_state_dict(student.state_dict())
        torch.testing.assert_close(student.model_step(batch), plain.eval().model_step(batch))
    assert not any(k.startswith("_teacher") for k in student.state_dict())


@pytest.mark.parametrize("k", [1, 2])
def test_other_prefixes_add_the_teachers_item_distribution_under_its_likeliest_other_clusters(teacher, k):
    root, data, ckpt = teacher
    dm = _datamodule(data, root)
    dm.setup("fit")
    weight = 0.25
    student = _student(distill_from=str(ckpt), distill_weight=weight, distill_prefixes=k)
    student.attach(dm.index, dm.split, dm.history_len)
    student._teacher.append(load_teacher(ckpt, dm.split, dm.history_len))
    base = _student(distill_from=str(ckpt), distill_weight=weight)  # the same weights, K = 0
    base.attach(dm.index, dm.split, dm.history_len)
    base.load_state_dict(student.state_dict())
    base._teacher.append(student._teacher[0])
    batch = dm.dataset("fit").__getitems__(list(range(20)))
    student.train(), base.train()
    with torch.no_grad():
        loss, base_loss = student.model_step(batch), base.model_step(batch)
        extra, n_targets = _other_prefix_term_by_loop(student, batch, k)
    assert n_targets > 20
    expected = base_loss + weight * extra / 2  # 2 tokens: cluster, item
    torch.testing.assert_close(loss, expected, rtol=1e-4, atol=1e-6)
    assert loss > base_loss
    # The gradient too: the implementation groups the rows by prefix, the loop decodes each alone.
    memory_kv, visible, start, items, _ = student.window_inputs(batch)
    term = student.other_prefix_loss(memory_kv, visible, start, items, student.teacher_scores(batch, items))
    params = [p for p in student.parameters() if p.requires_grad]
    grads = torch.autograd.grad(term, params, allow_unused=True, materialize_grads=True)
    by_loop = torch.autograd.grad(weight * _other_prefix_term_by_loop(student, batch, k)[0] / 2, params,
                                  allow_unused=True, materialize_grads=True)
    assert sum(g.abs().sum() for g in grads) > 0
    for g, h in zip(grads, by_loop):
        torch.testing.assert_close(g, h, rtol=1e-4, atol=1e-7)
    student.eval()
    with torch.no_grad():  # validation's loss is the student's own
        torch.testing.assert_close(student.model_step(batch), base.eval().model_step(batch))


def _other_prefix_term_by_loop(student, batch, k):
    """The mean over a batch's targets of the extra prefixes' mass-weighted soft cross-entropy, by
    a loop: rank the clusters by the teacher's mass, skip the target's, decode the item step
    after each of the top k others on its own, and take the soft cross-entropy of the teacher's
    softmax over that cluster's items. Returns it and the number of targets."""
    memory_kv, visible, start, items, _ = student.window_inputs(batch)
    assert start is None
    t_probs = student._teacher[0].target_logits(batch)[0].softmax(-1)
    cluster_of = student.item_tokens[:, 0]
    extra = []
    for r, item in enumerate(items.tolist()):
        mass = {c: t_probs[r, cluster_of == c].sum() for c in cluster_of.unique().tolist()}
        others = sorted((c for c in mass if c != cluster_of[item]), key=lambda c: -mass[c])[:k]
        total = 0.0
        for c in others:
            kv = [(key[r : r + 1], value[r : r + 1]) for key, value in memory_kv]
            state = student.model.decode_states(kv, visible[r : r + 1], torch.tensor([[BOS, c]]))[0, -1]
            members = (cluster_of == c).nonzero()[:, 0]
            logq = student.model.item_logits(state[None])[0, members].log_softmax(-1)
            q_teacher = t_probs[r, members] / t_probs[r, members].sum()
            total += mass[c] * -(q_teacher * logq).sum()
        extra.append(total)
    return torch.stack(extra).mean(), len(items)


def test_catalogue_term_is_refused_without_a_teacher_or_below_zero(teacher):
    with pytest.raises(ConfigError, match="distill_catalogue needs --model.distill_from"):
        _student(distill_catalogue=0.5)
    with pytest.raises(ConfigError, match="distill_catalogue must be at least 0, got -1"):
        _student(distill_from=str(teacher[2]), distill_catalogue=-1.0)


def test_other_prefixes_are_refused_without_a_teacher_or_beyond_the_index(teacher):
    root, data, ckpt = teacher
    with pytest.raises(ConfigError, match="distill_prefixes needs --model.distill_from"):
        _student(distill_prefixes=1)
    with pytest.raises(ConfigError, match="distill_prefixes must be at least 0"):
        _student(distill_from=str(ckpt), distill_prefixes=-1)
    dm = _datamodule(data, root)
    dm.setup("fit")
    student = _student(distill_from=str(ckpt), distill_prefixes=3)
    with pytest.raises(ConfigError, match="distill_prefixes 3: this index has 3 code prefixes .* at most 2"):
        student.attach(dm.index, dm.split, dm.history_len)


def test_distillation_trains_through_fit_and_saves_no_teacher(teacher, tmp_path):
    root, data, ckpt = teacher
    L.seed_everything(0)
    student = _student(distill_from=str(ckpt), lr=3e-3)
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, default_root_dir=tmp_path)
    trainer.fit(student, datamodule=_datamodule(data, root))
    out = tmp_path / "student.ckpt"
    trainer.save_checkpoint(out)
    saved = torch.load(out, weights_only=True)["state_dict"]
    assert saved.keys() == student.state_dict().keys() and all(k.startswith("model.") for k in saved)
    dm = _datamodule(data, root)
    dm.setup("fit")
    with pytest.raises(ConfigError, match="not a SASRec teacher"):
        load_teacher(out, dm.split, HISTORY)


def test_bad_teachers_and_layouts_are_refused(teacher, tmp_path):
    root, data, ckpt = teacher
    dm = _datamodule(data, root)
    dm.setup("fit")
    with pytest.raises(ConfigError, match="distill_from .*no such checkpoint"):
        load_teacher(tmp_path / "missing.ckpt", dm.split, HISTORY)
    other = _datamodule(_data(tmp_path, seed=3), tmp_path)
    other.setup("fit")
    with pytest.raises(IndexMismatchError, match="distill_from .*other data"):
        load_teacher(ckpt, other.split, HISTORY)
    with pytest.raises(ConfigError, match="item_softmax siblings"):
        GenerativeRecommender(last_step="code", distill_from=str(ckpt))
    with pytest.raises(ConfigError, match="distill_weight"):
        _student(distill_from=str(ckpt), distill_weight=0.0)
    with pytest.raises(ConfigError, match="distill_temperature must be positive"):
        _student(distill_from=str(ckpt), distill_temperature=0.0)


class _FirstItemRows(L.Callback):
    """Keeps the student's item-step embedding rows as training starts, before any update."""

    def on_train_start(self, trainer, pl_module):
        start, n_items = pl_module.model.item_tokens
        self.rows = pl_module.model.embed.weight[start : start + n_items].detach().clone()


def test_init_items_from_teacher_starts_the_item_rows_at_the_teachers_embeddings(teacher, tmp_path):
    root, data, ckpt = teacher
    first = _FirstItemRows()
    student = _student(distill_from=str(ckpt), init_items_from_teacher=True, d_model=16, n_heads=2)
    student.check_fit()
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, limit_train_batches=1,
                        callbacks=[first], default_root_dir=tmp_path)
    trainer.fit(student, datamodule=_datamodule(data, root))
    saved = torch.load(ckpt, weights_only=True)["state_dict"]["item_embed.weight"]
    torch.testing.assert_close(first.rows, saved[: len(first.rows)])  # the padding row is not copied
    assert len(first.rows) == student.index.n_items == 60
    plain = _student(distill_from=str(ckpt), d_model=16, n_heads=2)
    plain.attach(student.index, student.trainer.datamodule.split, HISTORY)
    start, n_items = plain.model.item_tokens
    assert plain.model.embed.weight[start : start + n_items].std() < 0.05  # off: the random init


def test_init_items_from_teacher_is_refused_without_a_teacher_or_at_another_width(teacher):
    _, _, ckpt = teacher
    with pytest.raises(ConfigError, match="init_items_from_teacher needs --model.distill_from"):
        _student(init_items_from_teacher=True)
    wide = "teacher's 16-wide item embeddings .*set --model.d_model 16 \\(got 32\\)"
    with pytest.raises(ConfigError, match=wide):
        _student(distill_from=str(ckpt), init_items_from_teacher=True, d_model=32).check_fit()


def test_sasrec_loss_mixes_its_cross_entropy_with_the_teachers_softmax(teacher):
    L.seed_everything(1)
    student = SASRec(d_model=8, n_layers=1, n_heads=1, d_ff=16, dropout=0.0, max_len=HISTORY,
                     distill_from=str(teacher[2]), distill_weight=0.3)
    _, batch = _taught(student, teacher)
    student.train()
    with torch.no_grad():
        loss = student.model_step(batch)
        logits, items = student.target_logits(batch)
        t_logits, _ = student._teacher[0].target_logits(batch)
    # By a loop over the targets: 0.7 * own cross-entropy + 0.3 * the cross-entropy of the teacher's
    # softmax over the whole catalogue.
    total = []
    for r, item in enumerate(items.tolist()):
        logp, p_teacher = logits[r].log_softmax(-1), t_logits[r].softmax(-1)
        total.append(0.7 * -logp[item] + 0.3 * -(p_teacher * logp).sum())
    assert len(items) > 20
    torch.testing.assert_close(loss, torch.stack(total).mean(), rtol=1e-5, atol=1e-6)
    own = torch.stack([-logits[r].log_softmax(-1)[i] for r, i in enumerate(items.tolist())]).mean()
    assert abs(float(loss - own)) > 1e-3  # the teacher's term moves it
    student.eval()
    with torch.no_grad():  # validation's loss is the student's own, never the teacher's
        torch.testing.assert_close(student.model_step(batch), own, rtol=1e-5, atol=1e-6)
    assert not any(k.startswith("_teacher") for k in student.state_dict())


def test_sasrec_fit_loads_its_teacher_and_refuses_a_bad_one(teacher, tmp_path):
    root, data, ckpt = teacher
    L.seed_everything(0)
    student = SASRec(d_model=8, n_layers=1, n_heads=1, d_ff=16, dropout=0.0, max_len=HISTORY,
                     distill_from=str(ckpt))
    trainer = L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, limit_val_batches=0, default_root_dir=tmp_path)
    trainer.fit(student, datamodule=_datamodule(data, root))
    assert len(student._teacher) == 1 and isinstance(student._teacher[0], SASRec)
    assert not student._teacher[0].training  # the teacher's dropout stays off
    with pytest.raises(ConfigError, match="distill_weight"):
        SASRec(distill_from=str(ckpt), distill_weight=0.0)
    with pytest.raises(ConfigError, match="missing.ckpt: no such checkpoint"):
        SASRec(distill_from=str(tmp_path / "missing.ckpt")).check_fit()


def test_a_teacher_refuses_targets_other_than_the_students(teacher):
    model = SASRec(d_model=8, n_layers=1, n_heads=1, d_ff=16, dropout=0.0, max_len=HISTORY)
    _, batch = _taught(model, teacher)
    _, items = model.target_logits(batch)
    logits = model._teacher[0].teacher_logits(batch, items)
    assert logits.dtype == torch.float32 and logits.shape == (len(items), model.n_items)
    with pytest.raises(RuntimeError, match="the teacher's targets differ"):
        model._teacher[0].teacher_logits(batch, items.flip(0))
