"""Session 26 prototype (not kit code): one validation pass of a checkpoint that also records, for a grid
of tau, each user's rank of the held-out item when every item's score is lowered by tau * log(1 + its
training count) (post-hoc logit adjustment, Menon et al. 2021), over the whole catalogue (the student:
exact code log-probabilities). usage: python adjust.py OUT.parquet -- lightlm validate args..."""
import sys

import numpy as np
import polars as pl
import torch

from lightlm.cli import main
from lightlm.decoding.exact import exact_log_probs
from lightlm.generative import GenerativeRecommender
from lightlm.sasrec import SASRec

TAUS = [-0.2, -0.1, 0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0]
rows: list[dict] = []


def _record(self, batch, stage, scores):
    if stage not in ("validate", "test"):
        return
    dm = self.trainer.datamodule
    if not hasattr(self, "_logc"):
        counts = np.bincount(np.asarray(dm.split.train.items), minlength=self.index.n_items)
        self._logc = torch.log1p(torch.as_tensor(counts, dtype=torch.float32))
    target = batch["target"]
    tgt_logc = self._logc[target]
    own = scores.gather(1, target[:, None])[:, 0]
    out = {"user": batch["user"].numpy(), "target": target.numpy()}
    for tau in TAUS:
        adj_own = own - tau * tgt_logc
        adj = scores - tau * self._logc[None]
        out[f"rank_{tau}"] = (adj > adj_own[:, None]).sum(1).numpy()
    rows.append(out)


def patch(cls, full_scores):
    original = cls.recommend

    def recommend(self, batch, stage):
        with torch.no_grad():
            _record(self, batch, stage, full_scores(self, batch))
        return original(self, batch, stage)

    cls.recommend = recommend


patch(SASRec, lambda self, batch: self.scores(batch).float())
patch(GenerativeRecommender,
      lambda self, batch: exact_log_probs(self.model, self.encoder_input(batch), self.trie.to(self.device)))

out_path = sys.argv[1]
assert sys.argv[2] == "--"
try:
    main(sys.argv[3:])
finally:
    frame = pl.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
    frame.write_parquet(out_path)
    for tau in TAUS:
        r = frame[f"rank_{tau}"].to_numpy()
        ndcg = np.where(r < 10, 1 / np.log2(r + 2), 0.0).mean()
        print(f"tau {tau:+.2f} ndcg@10 {ndcg:.5f} recall@10 {(r < 10).mean():.5f}", flush=True)
