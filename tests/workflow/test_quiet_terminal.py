"""`lightlm fit`, `test` and `index` print the kit's output and no library notices triggered by the
kit's own calls; `test` prints one metrics table (the kit's, not also Lightning's)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--config", str(ROOT / "conf" / "synthetic.yaml"), "--data.synthetic.n_users", "120",
        "--data.synthetic.n_items", "60", "--trainer.max_epochs", "1", "--model.preset", "tiny",
        "--checkpoint.dirpath", "ck"]  # W&B stays on (offline): its notices are among those checked
NOTICES = [
    "args parameter is intended",  # LightningCLI(args=...) beside sys.argv
    "anonymous setting",  # wandb, from WandbLogger's anonymous=None
    "Tip:",  # Lightning's litlogger advertisement
    "Warning",  # any DeprecationWarning, FutureWarning, UserWarning, PossibleUserWarning...
    "deprecated",
    "log_every_n_steps",  # fewer batches than the logging interval
    "Traceback",
]


def _lightlm(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_") and k != "PYTHONWARNINGS"}
    path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env |= {"OMP_NUM_THREADS": "1", "PYTHONPATH": path}
    proc = subprocess.run([sys.executable, "-m", "lightlm.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_fit_test_and_index_are_quiet(tmp_path):
    out = {cmd: _lightlm(tmp_path, cmd, *TINY) for cmd in ("fit", "test", "index")}
    for cmd, text in out.items():
        for notice in NOTICES:
            assert notice not in text, f"lightlm {cmd} printed {notice!r}:\n{text[-3000:]}"
    assert out["test"].count("test (full ranking, leave-one-out)") == 1
    assert out["test"].count("mrr@20") == 1 and "novelty@10" in out["test"]
    assert "Test metric" not in out["test"] and "DataLoader 0" not in out["test"]  # Lightning's table
    assert "index: sequential" in out["index"]
    assert (tmp_path / "ck" / "best.ckpt").is_file()
