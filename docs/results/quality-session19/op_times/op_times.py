"""Self CPU time by op over a few Toys student training steps: python op_times.py K OUT.txt SEED
(run from the repository root while runs/s19 holds the teachers; session 20)"""
import sys

from torch.profiler import ProfilerActivity, profile

from lightlm.cli import main

k, out, seed = sys.argv[1], sys.argv[2], sys.argv[3]
args = ["fit", "--config", "conf/toys-distilled.yaml", "--seed_everything", seed, "--data.seed", seed,
        "--model.init_args.distill_from", f"runs/s19/sas-t-s{seed}/ck/last.ckpt",
        "--data.indexer.init_args.embeddings", f"runs/s19/sas-t-s{seed}/item_embeddings.parquet",
        "--model.init_args.distill_prefixes", k, "--trainer.max_steps", "12",
        "--trainer.limit_val_batches", "0",
        "--trainer.num_sanity_val_steps", "0", "--checkpoint.dirpath", f"runs/s19/prof/ck{k}",
        "--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
with profile(activities=[ProfilerActivity.CPU]) as prof:
    try:
        main(args)
    except (SystemExit, RuntimeError):  # EarlyStopping without validation, after the steps
        pass
with open(out, "w") as f:
    f.write(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=40))
