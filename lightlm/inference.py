"""Recommendations from a checkpoint alone, for histories given in the dataset's original ids.

    from lightlm.inference import TrainedRecommender

    rec = TrainedRecommender.load("runs/synthetic/checkpoints/best.ckpt")
    top = rec.recommend({"17": ["3", "250", "41"]}, k=10, exclude_history=True, device="cpu")

A checkpoint carries the model's hyperparameters, its weights, the item index and the original
ids (`lightlm.recommender`), so nothing is re-read or re-indexed. The model sees exactly the input
`lightlm predict` builds: the user's tokens, then the newest `history_len` items of the history,
left-padded. Users the model never saw work for models that read a history (`--data.task
sequential`): they are given no user token, only their history. A direct-task model reads
nothing but the user, so it refuses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import torch

from datamodules.item_index import ItemIndex
from kitbase.errors import ConfigError, DataFormatError, IndexMismatchError
from lightlm.checkpoints import check_checkpoint, recommender_class
from lightlm.networks.tokens import PAD
from lightlm.recommender import Recommender

History = tuple[Any, Sequence[Any]]


class TrainedRecommender:
    """A trained `Recommender` with its index and original ids, ready to rank for any history.

    Use `TrainedRecommender.load(path)`; `recommend` batches the users itself.
    """

    def __init__(self, model: Recommender, user_ids: list, item_ids: list, history_len: int) -> None:
        self.model = model.eval()
        self.history_len = history_len
        self.user_ids, self.item_ids = np.asarray(user_ids, dtype=object), np.asarray(item_ids, dtype=object)
        # Ids are matched by their text, so 17 and "17" are the same user.
        self._user = {str(u): i for i, u in enumerate(user_ids)}
        self._item = {str(v): i for i, v in enumerate(item_ids)}
        self.unknown_user = len(user_ids)  # the row of user tokens that is all padding
        if hasattr(model, "user_tokens"):  # generative: a PAD row, so an unknown user adds no token
            pad = torch.full_like(model.user_tokens[:1], PAD)
            model.user_tokens = torch.cat([model.user_tokens, pad])

    @staticmethod
    def load(path: str | Path, device: str | torch.device = "cpu") -> TrainedRecommender:
        """Rebuild the model of a `lightlm fit` checkpoint (loaded with `weights_only=True`)."""
        ckpt = check_checkpoint(path)
        data = ckpt.get("lightlm_data")
        if data is None:
            raise IndexMismatchError(
                f"{path}: the checkpoint carries no original ids (made before lightlm.inference "
                "existed); use `lightlm predict --ckpt_path` with its config, or refit"
            )
        cls, hparams = recommender_class(ckpt, path)
        model: Recommender = cls(**hparams)
        index = ItemIndex.from_dict(ckpt["lightlm_index"], source=f"{path} index")
        model.index = index
        model.build(index, None, data["history_len"])
        model.load_state_dict(ckpt["state_dict"])
        rec = TrainedRecommender(model, data["user_ids"], data["item_ids"], data["history_len"])
        rec.model.to(device)
        return rec

    @property
    def reads_history(self) -> bool:
        return self.history_len > 0

    def recommend(
        self,
        histories: Mapping[Any, Sequence[Any]] | Iterable[History],
        k: int = 10,
        exclude_history: bool | None = None,
        device: str | torch.device | None = None,
        batch_size: int = 256,
        num_beams: int | None = None,
    ) -> pl.DataFrame:
        """Top-`k` items for each (user, history), history oldest first, all in original ids.

        Args:
            histories: `{user: [item, ...]}` or `(user, [item, ...])` pairs. Only the newest
                `history_len` items are read (as in training); all of them are excluded when
                `exclude_history` is on.
            k: items per user.
            exclude_history: never recommend an item of the given history; None keeps the
                model's `exclude_train_items` setting (what `lightlm predict` does).
            device: move the model there first (e.g. "cuda"); None keeps its device.
            batch_size: users per forward pass.
            num_beams: beams of the generative model's search (default: its own, at least `k`).

        Returns:
            one row per (user, rank): `user`, `rank` (1 = best), `item`, `score`, users in input
            order, the same columns `lightlm predict` writes.

        Raises:
            DataFormatError: an unknown item id in a history, or an unknown user for a model that
                reads no history (the message names the user and item).
        """
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        pairs = list(histories.items() if isinstance(histories, Mapping) else histories)
        users, rows = self._encode(pairs)
        model = self.model if device is None else self.model.to(device)
        hp = model.hparams
        saved = {key: hp[key] for key in ("top_k", "num_beams") if key in hp}
        exclude = hp.get("exclude_train_items", False) if exclude_history is None else exclude_history
        hp["top_k"] = k
        if "num_beams" in hp:
            hp["num_beams"] = max(k, num_beams or saved["num_beams"])
        out_items, out_scores = [], []
        try:
            for start in range(0, len(pairs), batch_size):
                part = slice(start, start + batch_size)
                batch = self._batch(users[part], rows[part], exclude)
                items, scores = model.recommend({n: t.to(model.device) for n, t in batch.items()}, "predict")
                out_items.append(items.cpu())
                out_scores.append(scores.float().cpu())
        finally:
            hp.update(saved)
        return self._frame(pairs, out_items, out_scores, k)

    # ---- ids to tensors and back ------------------------------------------------------------
    def _encode(self, pairs: list[History]) -> tuple[list[int], list[np.ndarray]]:
        users, rows = [], []
        for user, items in pairs:
            known = self._user.get(str(user))
            if known is None and not self.reads_history:
                raise DataFormatError(
                    f"user {user!r} was not seen in training, and this direct-task model reads only "
                    "the user; a model trained with --data.task sequential ranks new users by history"
                )
            idx = []
            for item in items:
                i = self._item.get(str(item))
                if i is None:
                    raise DataFormatError(f"user {user!r}: item {item!r} is not in the model's catalogue")
                idx.append(i)
            if known is None and not idx:
                raise DataFormatError(f"user {user!r} was not seen in training and has no history")
            users.append(self.unknown_user if known is None else known)
            rows.append(np.asarray(idx, dtype=np.int64))
        return users, rows

    def _batch(self, users: list[int], rows: list[np.ndarray], exclude: bool) -> dict[str, torch.Tensor]:
        """The tensors `lightlm predict` would build: newest `history_len` items, left-padded -1."""
        H = self.history_len
        history = np.full((len(rows), H), -1, dtype=np.int64)
        for r, seq in enumerate(rows):
            if H:
                recent = seq[-H:]
                history[r, H - len(recent) :] = recent
        batch = {"user": torch.as_tensor(users, dtype=torch.long), "history": torch.as_tensor(history)}
        if exclude:
            n = self.model.index.n_items
            keys = [r * n + np.unique(seq) for r, seq in enumerate(rows)]
            batch["exclude"] = torch.as_tensor(np.sort(np.concatenate([*keys, np.zeros(0, np.int64)])))
        return batch

    def _frame(self, pairs: list[History], items: list[torch.Tensor], scores: list[torch.Tensor], k: int):
        if not pairs:
            schema = {"user": pl.Object, "rank": pl.Int64, "item": pl.Object, "score": pl.Float32}
            return pl.DataFrame(schema=schema)
        items_t, scores_t = torch.cat(items), torch.cat(scores)
        flat = items_t.flatten().numpy()
        keep = flat >= 0
        users = [u for u, _ in pairs]
        if len({type(u) for u in users}) > 1:  # a column has one type: mixed ids become text
            users = [str(u) for u in users]
        user_col = np.repeat(np.asarray(users, dtype=object), k)[keep]
        return pl.DataFrame(
            {
                "user": user_col.tolist(),
                "rank": np.tile(np.arange(1, k + 1), len(pairs))[keep],
                "item": self.item_ids[flat[keep]].tolist(),
                "score": scores_t.flatten().numpy()[keep],
            }
        )


def read_histories(path: str | Path) -> list[History]:
    """(user, [item, ...]) pairs of a histories file, ids as text, items oldest first.

    `.csv`: a header with `user` and `item` columns, one interaction per row in chronological
    order. Anything else: `user item item ...` lines (P5 style; blank lines skipped).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"--predictions.histories: no such file {path}")
    if path.suffix.lower() == ".csv":
        try:
            frame = pl.read_csv(path, infer_schema=False)
        except pl.exceptions.PolarsError as e:
            raise DataFormatError(f"{path}: not a readable CSV ({str(e).splitlines()[0]})") from None
        missing = {"user", "item"} - set(frame.columns)
        if missing:
            raise DataFormatError(f"{path}: needs columns 'user' and 'item', missing {sorted(missing)}")
        if frame.select(pl.col("user", "item").is_null().any()).row(0) != (False, False):
            line = 2 + int(frame.select(pl.any_horizontal(pl.col("user", "item").is_null()).arg_max()).item())
            raise DataFormatError(f"{path} line {line}: empty user or item")
        grouped = frame.group_by("user", maintain_order=True).agg(pl.col("item"))
        return list(zip(grouped["user"].to_list(), grouped["item"].to_list()))
    pairs, seen = [], {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            tokens = line.split()
            if not tokens:
                continue
            if tokens[0] in seen:
                raise DataFormatError(
                    f"{path} line {lineno}: user {tokens[0]} already appeared on line {seen[tokens[0]]}"
                )
            seen[tokens[0]] = lineno
            pairs.append((tokens[0], tokens[1:]))
    if not pairs:
        raise DataFormatError(f"{path}: the file holds no users")
    return pairs
