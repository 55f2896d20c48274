"""Session 26 diagnosis (not kit code): one validation pass of a checkpoint recording, per user, the held-
out item's rank over the catalogue, its cluster's rank (clusters: the student's first code level,
CLUSTERS.npy; a cluster's score is the log of its items' summed probability) and its rank among its
cluster's items. The student is scored exactly (its code log-probabilities), SASRec by its softmax.
usage: diag.py CLUSTERS.npy OUT.parquet -- lightlm validate args..."""
import sys

import numpy as np
import polars as pl
import torch

from lightlm.cli import main
from lightlm.decoding.exact import exact_log_probs
from lightlm.generative import GenerativeRecommender
from lightlm.sasrec import SASRec

clusters = torch.as_tensor(np.load(sys.argv[1]))
n_clusters = int(clusters.max()) + 1
rows: list[dict] = []


def _record(batch, scores):
    logp = scores.log_softmax(-1)
    target = batch["target"]
    own = logp.gather(1, target[:, None])
    tc = clusters[target]
    mass = torch.zeros(len(logp), n_clusters).index_add_(1, clusters, logp.exp())
    cl = mass.log()
    rows.append({
        "user": batch["user"].numpy(),
        "rank": (logp > own).sum(1).numpy(),
        "cluster_rank": (cl > cl.gather(1, tc[:, None])).sum(1).numpy(),
        "within_rank": ((logp > own) & (clusters[None] == tc[:, None])).sum(1).numpy(),
        "target_logp": own[:, 0].numpy(),
        "cluster_logp": cl.gather(1, tc[:, None])[:, 0].numpy(),
    })


def patch(cls, full_scores):
    original = cls.recommend

    def recommend(self, batch, stage):
        if stage == "validate":
            with torch.no_grad():
                _record(batch, full_scores(self, batch).float())
        return original(self, batch, stage)

    cls.recommend = recommend


patch(SASRec, lambda self, batch: self.scores(batch))
patch(GenerativeRecommender,
      lambda self, batch: exact_log_probs(self.model, self.encoder_input(batch), self.trie.to(self.device)))
assert sys.argv[3] == "--"
try:
    main(sys.argv[4:])
finally:
    pl.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]}).write_parquet(sys.argv[2])
