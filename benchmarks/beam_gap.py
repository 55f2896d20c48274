"""Beam search against exact ranking on the same validation users: how much does the beam lose?

Runs `lightlm validate` twice on one checkpoint, once with constrained beam search
(`--model.rank_by beam`) and once with the exact scorer (`--model.rank_by exact`, every item's
code log-probability, `lightlm.decoding.exact`), on the same seeded random validation users, and prints
Recall/NDCG@10 of both, their ratio, and the seconds each took. Both runs go through the CLI, so
the checkpoint, its index and its data are checked exactly as `lightlm validate` checks them.

    python benchmarks/beam_gap.py --config conf/beauty-items.yaml \
        --ckpt runs/beauty-items/checkpoints/best.ckpt
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METRICS = ("recall@10", "ndcg@10", "recall@20", "ndcg@20")


def validate(
    config: str, ckpt: str, rank_by: str, users: int, beams: int, extra: list[str]
) -> tuple[dict, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "metrics.json"
        cmd = [
            sys.executable,
            "-m",
            "lightlm.cli",
            "validate",
            "--config",
            config,
            "--ckpt_path",
            ckpt,
            "--model.rank_by",
            rank_by,
            "--model.num_beams",
            str(beams),
            "--data.val_users",
            str(users),
            "--results.path",
            str(out),
            "--trainer.logger",
            "false",
            "--trainer.enable_progress_bar",
            "false",
            *extra,
        ]
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env={**os.environ, "WANDB_MODE": "disabled"}
        )
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"beam_gap: lightlm validate ({rank_by}) failed:\n{proc.stderr[-3000:]}")
        return json.loads(out.read_text())["metrics"], seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="the config the checkpoint was trained with")
    parser.add_argument("--ckpt", required=True, help="checkpoint of a generative model")
    parser.add_argument("--users", type=int, default=1000, help="validation users (seeded random draw)")
    parser.add_argument("--beams", type=int, default=20, help="beams of the beam search")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args, extra = parser.parse_known_args(argv)
    for path in (args.config, args.ckpt):
        if not Path(path).is_file():
            parser.error(f"no such file: {path}")
    beam, beam_s = validate(args.config, args.ckpt, "beam", args.users, args.beams, extra)
    exact, exact_s = validate(args.config, args.ckpt, "exact", args.users, args.beams, extra)
    print(f"{args.users} validation users, {args.beams} beams; {args.ckpt}")
    print(f"{'metric':<12} {'beam':>8} {'exact':>8} {'beam/exact':>10}")
    rows = {}
    for m in METRICS:
        b, e = beam[f"val/{m}"], exact[f"val/{m}"]
        rows[m] = {"beam": b, "exact": e, "ratio": b / e if e else None}
        print(f"{m:<12} {b:8.4f} {e:8.4f} {b / e if e else float('nan'):10.3f}")
    print(f"seconds: beam {beam_s:.0f}, exact {exact_s:.0f} (whole commands)")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "users": args.users,
                    "beams": args.beams,
                    "ckpt": args.ckpt,
                    "metrics": rows,
                    "seconds": {"beam": beam_s, "exact": exact_s},
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
