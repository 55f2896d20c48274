"""One-off: write the item embeddings of a SASRec-CE checkpoint (final weights, last.ckpt) as the
Parquet that `--model.init_args.export_embeddings` would have written at the end of its fit."""
import io
import sys
from pathlib import Path

import polars as pl

from indexers.item_vectors import ID_COLUMN, VECTOR_COLUMN
from kitbase.files import write_atomic
from lightlm.inference import TrainedRecommender

ckpt, out = sys.argv[1:3]
rec = TrainedRecommender.load(ckpt)
model = rec.model
vectors = model.item_embed.weight[: model.n_items].detach().float().numpy()
frame = pl.DataFrame({ID_COLUMN: [str(i) for i in rec.item_ids], VECTOR_COLUMN: list(vectors)})
buf = io.BytesIO()
frame.write_parquet(buf)
write_atomic(Path(out), buf.getvalue())
print(out, frame.shape)
