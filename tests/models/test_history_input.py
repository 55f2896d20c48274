"""Item-level history input (`--model.history_input items | items+ids`) and `--model.user_input`:
what the encoder reads, that padding and batch companions do not change a row's result, and that
the model still only recommends real items."""

import pytest
import torch

from datamodules.datamodule import RecDataModule
from datamodules.synthetic import SyntheticConfig
from indexers.registry import make_indexer
from indexers.sequential import SequentialIndexer
from kitbase.errors import ConfigError
from lightlm.generative import GenerativeRecommender
from lightlm.networks.tokens import BOS, PAD, TokenLayout

HISTORY = 4


@pytest.fixture(scope="module")
def dm(tmp_path_factory):
    cfg = SyntheticConfig(n_users=150, n_items=60, n_communities=3, seed=1)
    dm = RecDataModule(synthetic=cfg, indexer=make_indexer("sequential", base=4), task="sequential",
                       history_len=HISTORY, batch_size=32, cache_dir=str(tmp_path_factory.mktemp("cache")))
    dm.setup()
    return dm


def _model(dm, **kw):
    torch.manual_seed(0)
    model = GenerativeRecommender(preset="tiny", num_beams=20, **kw)
    model.attach(dm.index, dm.split, dm.history_len)
    return model.eval()


def test_items_input_is_one_position_per_item_with_its_code_tokens(dm):
    layout = TokenLayout.from_index(dm.index)
    U, L = layout.user_tokens.shape[1], layout.code_len
    assert L >= 3  # 60 items in base 4: several tokens per item, so the two layouts differ
    batch = next(iter(dm.train_dataloader()))
    src = _model(dm, history_input="items").encoder_input(batch)
    assert src.shape == (len(batch["user"]), U + HISTORY, L)
    assert (src[:, :U, 0] == layout.user_tokens[batch["user"]]).all() and (src[:, :U, 1:] == PAD).all()
    hist = batch["history"]
    assert (hist < 0).any() and (hist >= 0).any()  # both padded and real history slots are checked
    real = hist >= 0
    torch.testing.assert_close(src[:, U:][real], layout.item_tokens[hist[real]])
    assert (src[:, U:][~real] == PAD).all()


def test_items_plus_ids_adds_one_distinct_input_token_per_item(dm):
    layout = TokenLayout.from_index(dm.index)
    model = _model(dm, history_input="items+ids")
    ids = model.history_tokens[:, -1]
    assert ids.unique().numel() == dm.index.n_items  # one token per item ...
    assert ids.min() >= layout.vocab_size  # ... outside the code vocabulary, so never generated
    assert model.model.embed.num_embeddings == layout.vocab_size + dm.index.n_items
    assert (model.model.step_tokens < layout.vocab_size).all()


def test_user_input_off_reads_the_history_alone(dm):
    batch = next(iter(dm.train_dataloader()))
    src = _model(dm, history_input="items", user_input=False).encoder_input(batch)
    assert src.shape[1] == HISTORY
    with pytest.raises(ConfigError, match="user_input"):
        dm_direct = RecDataModule(
            indexer=SequentialIndexer(), synthetic=dm.synthetic, task="direct", cache_dir=str(dm.cache_dir))
        dm_direct.setup()
        _model(dm_direct, user_input=False)
    with pytest.raises(ConfigError, match="history_input"):
        GenerativeRecommender(history_input="item")


@pytest.mark.parametrize("mode", ["items", "items+ids"])
def test_padding_and_batch_companions_do_not_change_a_rows_ranking(dm, mode):
    """An all-PAD history position is masked: a user's result is the same alone and in a batch."""
    model = _model(dm, history_input=mode)
    batch = next(iter(dm.val_dataloader()))
    items, scores = model.recommend(batch, "validate")
    for row in (0, 5):
        one = {k: v[row : row + 1] for k, v in batch.items()}
        items1, scores1 = model.recommend(one, "validate")
        assert items1.tolist() == items[row : row + 1].tolist()
        torch.testing.assert_close(scores1, scores[row : row + 1], atol=1e-5, rtol=1e-5)
    assert (items >= 0).all() and (items < dm.index.n_items).all()
    assert all(len(set(r)) == len(r) for r in items.tolist())


@pytest.mark.parametrize("mode", ["codes", "items", "items+ids"])
def test_training_lowers_the_loss(dm, mode):
    model = _model(dm, history_input=mode, lr=3e-3).train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    batch = next(iter(dm.train_dataloader()))
    first = model.model_step(batch).item()
    for _ in range(30):
        opt.zero_grad()
        model.model_step(batch).backward()
        opt.step()
    assert model.model_step(batch).item() < 0.7 * first


def test_input_dropout_blanks_whole_positions_in_training_only(dm):
    """Each position's token embeddings are kept or zeroed as a unit, at the given rate, while the
    position stays attendable; evaluation never blanks anything."""
    model = _model(dm, history_input="items+ids", user_input=False, dropout=0.0, input_dropout=0.3)
    net = model.model
    batch = next(iter(dm.train_dataloader()))
    src = model.encoder_input(batch)
    src = src[(src[:, 0] != PAD).any(-1)][:4]  # rows whose first position holds an item
    assert len(src) == 4
    real = (src != PAD).any(-1)
    first = src[:, :1]  # the causal encoder's first position reads only itself
    net.eval()
    kept = net.encode(first)[0][:, 0]
    with torch.no_grad():
        saved = net.embed.weight.clone()
        net.embed.weight.zero_()  # the same position with its tokens blanked by hand
        blank = net.encode(first)[0][:, 0]
        net.embed.weight.copy_(saved)
    torch.testing.assert_close(net.encode(first)[0][:, 0], kept)  # eval: deterministic, nothing dropped
    net.train()
    torch.manual_seed(0)
    hits = {"kept": 0, "blank": 0}
    with torch.no_grad():
        for _ in range(200):
            out = net.encode(first)[0][:, 0]
            for row in range(4):
                if torch.allclose(out[row], kept[row], atol=1e-5):
                    hits["kept"] += 1
                else:
                    torch.testing.assert_close(out[row], blank[row], atol=1e-5, rtol=1e-4)
                    hits["blank"] += 1
    assert 0.25 < hits["blank"] / 800 < 0.35  # 0.3 of 800 draws, within about 3 standard deviations
    _, mask = net.encode(src)
    assert torch.equal(mask[:, 0, 0], real)  # a blanked position is still attended to


def test_input_dropout_must_be_a_probability():
    with pytest.raises(ConfigError, match="input_dropout"):
        GenerativeRecommender(input_dropout=1.0)


@pytest.mark.parametrize("dropout, encoder_dropout", [(0.0, 0.5), (0.5, 0.0)])
def test_encoder_dropout_acts_on_the_encoder_and_dropout_then_on_the_decoder_only(
    dm, dropout, encoder_dropout
):
    model = _model(
        dm, history_input="items+ids", user_input=False, dropout=dropout, encoder_dropout=encoder_dropout
    )
    net = model.model.train()
    batch = next(iter(dm.train_dataloader()))
    src = model.encoder_input(batch)
    code = model.item_tokens[batch["target"]]
    tgt_in = torch.cat([torch.full_like(code[:, :1], BOS), code[:, :-1]], 1)  # teacher forcing
    with torch.no_grad():
        memory = [net.encode(src)[0] for _ in range(2)]
        mask = net.encode(src)[1]
        states = [net.decode_states(net.memory_kv(memory[0]), mask, tgt_in) for _ in range(2)]
    assert torch.equal(memory[0], memory[1]) == (encoder_dropout == 0.0)
    assert torch.equal(states[0], states[1]) == (dropout == 0.0)
    with pytest.raises(ConfigError, match="encoder_dropout"):
        GenerativeRecommender(encoder_dropout=1.5)
