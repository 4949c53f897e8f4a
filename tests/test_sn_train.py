"""Training: loss improves, seeds reproduce, checkpoints resume, CLI, DDP with 2 processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
import torch

from equiact.cli.main import main
from equiact.errors import InvalidInputError
from equiact.sn.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _cfg(**kw):
    base = dict(dataset="atlas", preset="2-ign", hidden=8, layers=1, epochs=6, batch_size=16,
                lr=1e-2, limit=120, progress=False, seed=3)
    base.update(kw)
    return TrainConfig(**base)


def test_tiny_training_improves_loss_and_is_seeded():
    res = train(_cfg(epochs=10))
    hist = res["history"]
    assert len(hist) == 10
    assert hist[-1]["train_loss"] < 0.6 * hist[0]["train_loss"]
    assert hist[-1]["val_mae"] < hist[0]["val_mae"]
    again = train(_cfg(epochs=10))
    assert [h["train_loss"] for h in again["history"]] == [h["train_loss"] for h in hist]


def test_orbit_norm_training_refreshes_batchnorm():
    """norm="orbit" trains, and evaluation uses BatchNorm statistics of the final weights."""
    res = train(_cfg(epochs=3, norm="orbit", limit=60, batch_size=7))  # last batch: 1 graph
    hist = res["history"]
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert all(torch.isfinite(torch.tensor(h["val_loss"])) for h in hist)
    bn = res["model"].head[0]
    assert isinstance(bn, torch.nn.BatchNorm1d)
    assert int(bn.num_batches_tracked) == 1  # recomputed over the 48 training graphs at once


def test_checkpoint_resume_matches_straight_run(tmp_path):
    straight = train(_cfg(epochs=3))
    ck = str(tmp_path / "ck")
    train(_cfg(epochs=2, checkpoint_dir=ck))
    assert sorted(os.listdir(ck)) == ["best.pt", "last.pt"]
    state = torch.load(os.path.join(ck, "last.pt"), weights_only=False)
    assert state["epoch"] == 1 and state["config"]["preset"] == "2-ign"
    resumed = train(_cfg(epochs=3, checkpoint_dir=ck, resume=True))
    assert len(resumed["history"]) == 3
    assert resumed["final"]["val_loss"] == pytest.approx(straight["final"]["val_loss"],
                                                         rel=1e-9)


def test_bad_config():
    with pytest.raises(InvalidInputError, match="epochs = 0"):
        train(_cfg(epochs=0))
    with pytest.raises(InvalidInputError, match="resume needs a checkpoint"):
        train(_cfg(resume=True))


def test_bad_config_is_reported_not_crashed(tmp_path):
    with pytest.raises(InvalidInputError, match="seed = -1"):
        train(_cfg(seed=-1))  # numpy's default_rng(-1) raised a bare ValueError
    with pytest.raises(InvalidInputError, match="no training graphs"):
        train(_cfg(limit=2, val_fraction=0.9))  # trained on nothing and reported nan
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(InvalidInputError, match="is a file"):
        train(_cfg(epochs=1, checkpoint_dir=str(afile)))  # FileExistsError after epoch 1
    ck = str(tmp_path / "ck")
    train(_cfg(epochs=1, limit=20, checkpoint_dir=ck))
    with pytest.raises(InvalidInputError, match=r"hidden 8 \(now 5\)"):
        train(_cfg(epochs=2, limit=20, hidden=5, checkpoint_dir=ck, resume=True))


def test_cli_train_json(capsys, tmp_path):
    rc = main(["train", "--dataset", "csl", "--model", "2-ign", "--hidden", "4", "--layers",
               "1", "--epochs", "1", "--limit", "20", "--batch-size", "10", "--no-progress",
               "--json", "--checkpoint", str(tmp_path)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["dataset"] == "csl" and out["epochs"] == 1 and "val_acc" in out["final"]
    assert (tmp_path / "last.pt").exists()
    assert main(["train", "--dataset", "mnist", "--no-progress"]) == 2
    assert "unknown data set 'mnist'" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_two_processes_torchrun():
    """torchrun with 2 gloo workers on CPU: runs, all-reduces, keeps replicas identical."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
           "--master_addr=127.0.0.1", f"--master_port={_free_port()}", "-m", "equiact.cli.main",
           "train", "--dataset", "atlas", "--model", "2-ign", "--hidden", "4", "--layers", "1",
           "--epochs", "2", "--limit", "64", "--batch-size", "8", "--no-progress", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1  # only rank 0 reports
    out = json.loads(lines[0])
    assert out["world_size"] == 2 and out["epochs"] == 2
    assert out["replica_max_diff"] == 0.0
    assert out["final"]["train_loss"] > 0
