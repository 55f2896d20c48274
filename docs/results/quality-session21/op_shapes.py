"""Self CPU time by op and input shape over 6 Beauty student training steps (session 21):
python op_shapes.py K OUT.txt, from the repository root while runs/s20 holds the seed-0 teacher."""
import sys

from torch.profiler import ProfilerActivity, profile

from lightlm.cli import main

k, out = sys.argv[1], sys.argv[2]
args = ["fit", "--config", "conf/beauty-distilled.yaml", "--seed_everything", "0", "--data.seed", "0",
        "--model.init_args.distill_from", "runs/s20/sas-b-s0/ck/last.ckpt",
        "--data.indexer.init_args.embeddings", "runs/s20/sas-b-s0/item_embeddings.parquet",
        "--model.init_args.distill_prefixes", k, "--trainer.max_steps", "6",
        "--trainer.limit_val_batches", "0",
        "--trainer.num_sanity_val_steps", "0", "--checkpoint.dirpath", f"runs/s21/prof/ck{k}",
        "--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    try:
        main(args)
    except (SystemExit, RuntimeError):
        pass
with open(out, "w") as f:
    table = prof.key_averages(group_by_input_shape=True).table(
        sort_by="self_cpu_time_total", row_limit=45, max_name_column_width=40, max_shapes_column_width=70)
    f.write(table)
