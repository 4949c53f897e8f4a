"""Training: loss improves, seeds reproduce, checkpoints resume, CLI, DDP with 2 processes."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from equiact.cli.main import main
from equiact.errors import InvalidInputError
from equiact.sn.checkpoint import load_checkpoint
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
    assert sorted(os.listdir(ck)) == ["best.pt", "last.pt", "metrics.csv", "metrics.jsonl"]
    state = load_checkpoint(os.path.join(ck, "last.pt"))
    assert state["epoch"] == 1 and state["config"]["preset"] == "2-ign"
    resumed = train(_cfg(epochs=3, checkpoint_dir=ck, resume=True))
    assert len(resumed["history"]) == 3
    assert resumed["final"]["val_loss"] == pytest.approx(straight["final"]["val_loss"],
                                                         rel=1e-9)
    # metrics files hold every epoch (the resumed one included), equal to the history
    with open(os.path.join(ck, "metrics.csv")) as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for r, h in zip(rows, resumed["history"]):
        assert float(r["val_mae"]) == pytest.approx(h["val_mae"], rel=1e-12)
    with open(os.path.join(ck, "metrics.jsonl")) as fh:
        assert [json.loads(ln) for ln in fh] == resumed["history"]
    assert resumed["total_seconds"] == pytest.approx(sum(h["seconds"]
                                                         for h in resumed["history"]))
    best = min(resumed["history"], key=lambda h: h["val_loss"])
    assert resumed["best"] == best and resumed["best_epoch"] == best["epoch"]
    assert load_checkpoint(os.path.join(ck, "best.pt"))["epoch"] == best["epoch"] - 1


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
    assert out["best_epoch"] == 1 and out["best"] == out["final"]
    assert out["total_seconds"] == pytest.approx(out["final"]["seconds"])
    assert any("1-WL" in w for w in out["warnings"])  # 2-ign cannot separate CSL
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


# --- checkpoints: safe loading, atomic writes, run directories -------------------------------


class _WritesMarker:
    """Unpickling this object creates a directory: stands in for arbitrary code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _tiny_cli(ck, *extra):
    return ["train", "--dataset", "atlas", "--hidden", "4", "--layers", "1", "--epochs", "2",
            "--limit", "20", "--no-progress", "--checkpoint", str(ck), *extra]


@pytest.fixture(scope="module")
def _one_epoch_run(tmp_path_factory):
    """A run directory after one tiny epoch (copied by the tests that damage it)."""
    ck = tmp_path_factory.mktemp("one_epoch") / "run"
    assert main(_tiny_cli(ck, "--epochs", "1")) == 0
    return ck


def _copy_run(src, tmp_path):
    import shutil

    return Path(shutil.copytree(src, tmp_path / "run"))


def _one_line_error(err: str, path) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("equiact: error")]
    assert len(lines) == 1 and str(path) in lines[0], err
    assert "Traceback" not in err


def test_crafted_checkpoint_is_refused_and_runs_nothing(tmp_path, capsys, _one_epoch_run):
    ck = _copy_run(_one_epoch_run, tmp_path)
    last = ck / "last.pt"
    state = load_checkpoint(str(last))
    marker = tmp_path / "marker"
    state["extra_object"] = _WritesMarker(marker)
    torch.save(state, str(last))
    capsys.readouterr()
    assert main(_tiny_cli(ck, "--resume")) == 2
    err = capsys.readouterr().err
    _one_line_error(err, last)
    assert "could run code" in err and "GLOBAL" in err
    assert not marker.exists()
    # the crafted file really runs code when loaded without weights_only
    torch.load(str(last), weights_only=False)
    assert marker.is_dir()


@pytest.mark.parametrize("content", ["empty", "truncated", "garbage", "not_a_run", "a_list"])
def test_damaged_checkpoint_gives_one_line_error(tmp_path, capsys, content, _one_epoch_run):
    ck = _copy_run(_one_epoch_run, tmp_path)
    last = ck / "last.pt"
    data = last.read_bytes()
    if content == "empty":
        last.write_bytes(b"")
    elif content == "truncated":
        last.write_bytes(data[: len(data) // 2])
    elif content == "garbage":
        last.write_bytes(b"\x80\x02not a checkpoint" * 10)
    elif content == "not_a_run":
        torch.save({"model": {}}, str(last))
    else:
        torch.save([1, 2, 3], str(last))
    capsys.readouterr()
    assert main(_tiny_cli(ck, "--resume")) == 2
    _one_line_error(capsys.readouterr().err, last)


def test_save_interrupted_keeps_previous_checkpoint(tmp_path, monkeypatch):
    """A kill while saving (simulated: the writer stops half-way) leaves last.pt intact."""
    import equiact.sn.checkpoint as ckmod

    ck = tmp_path / "run"
    train(_cfg(epochs=1, limit=20, checkpoint_dir=str(ck)))
    before = (ck / "last.pt").read_bytes()
    real_save = torch.save

    def dying_save(obj, fh):
        real_save(obj, fh)
        fh.truncate(100)
        raise KeyboardInterrupt

    monkeypatch.setattr(ckmod.torch, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        train(_cfg(epochs=2, limit=20, checkpoint_dir=str(ck), resume=True))
    monkeypatch.undo()
    assert (ck / "last.pt").read_bytes() == before
    assert load_checkpoint(str(ck / "last.pt"))["epoch"] == 0
    assert sorted(os.listdir(ck)) == ["best.pt", "last.pt", "metrics.csv", "metrics.jsonl"]


def test_existing_run_needs_resume_or_overwrite(tmp_path):
    ck = str(tmp_path / "run")
    first = train(_cfg(epochs=3, limit=40, checkpoint_dir=ck))
    best_before = load_checkpoint(os.path.join(ck, "best.pt"))
    with pytest.raises(InvalidInputError, match=r"already holds a run \(last.pt, best.pt"):
        train(_cfg(epochs=1, limit=40, checkpoint_dir=ck))
    assert load_checkpoint(os.path.join(ck, "best.pt"))["history"] == best_before["history"]
    with pytest.raises(InvalidInputError, match="either --resume or --overwrite"):
        train(_cfg(epochs=1, checkpoint_dir=ck, resume=True, overwrite=True))
    again = train(_cfg(epochs=1, limit=40, seed=5, checkpoint_dir=ck, overwrite=True))
    assert len(first["history"]) == 3 and len(again["history"]) == 1
    best = load_checkpoint(os.path.join(ck, "best.pt"))
    assert best["epoch"] == 0 and best["config"]["seed"] == 5
    with open(os.path.join(ck, "metrics.csv")) as fh:
        assert len(list(csv.DictReader(fh))) == 1


def test_checkpoint_path_checked_before_training(tmp_path, monkeypatch):
    trmod = sys.modules["equiact.sn.train"]  # the package re-exports the function `train`

    def no_data(*a, **k):
        raise AssertionError("data loaded before the checkpoint path was checked")

    monkeypatch.setattr(trmod, "load_dataset_info", no_data)
    with pytest.raises(InvalidInputError, match="cannot write checkpoints to '/proc/nonexist"):
        train(_cfg(checkpoint_dir="/proc/nonexistent/x"))
    with pytest.raises(InvalidInputError, match="no checkpoint to resume"):
        train(_cfg(checkpoint_dir=str(tmp_path / "new"), resume=True))
    assert (tmp_path / "new").is_dir() and not os.listdir(tmp_path / "new")  # probe removed


def test_memory_estimate_refuses_huge_models(capsys):
    with pytest.raises(InvalidInputError, match=r"needs about .* GiB .*--max-memory-gb"):
        train(_cfg(hidden=100000))
    assert main(["train", "--dataset", "atlas", "--hidden", "100000", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "more than the limit of 8 GiB" in err and "Traceback" not in err
    # a raised limit lets a run through that the default-size estimate refuses
    with pytest.raises(InvalidInputError, match="limit of 1e-06 GiB"):
        train(_cfg(epochs=1, max_memory_gb=1e-6))
    assert train(_cfg(epochs=1, max_memory_gb=1.0))["memory"]["total_bytes"] < 2**30


@pytest.mark.parametrize("preset,hidden,layers", [("2-ign", 5, 2), ("3-ign", 3, 2),
                                                  ("mixed", 3, 1), ("tuples", 4, 2)])
def test_memory_estimate_extrapolates_exactly(preset, hidden, layers):
    """Parameters counted exactly; saved activations at n = 13 (fitted on n = 5..8) equal the
    bytes autograd really saves."""
    from equiact.sn.memory import estimate_training_memory
    from equiact.sn.models import build_model

    est = estimate_training_memory(preset, in_channels=2, out_dim=3, hidden=hidden,
                                   layers=layers, batch_size=5, n=13)
    model = build_model(preset, 2, 3, hidden=hidden, layers=layers)
    assert est["parameters"] == sum(p.numel() for p in model.parameters())
    saved = 0

    def pack(t):
        nonlocal saved
        saved += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(torch.rand(5, 2, 13, 13), torch.full((5,), 13))
    assert est["activation_bytes"] == pytest.approx(saved, rel=1e-6)


def test_no_validation_best_is_last(tmp_path):
    ck = str(tmp_path / "run")
    res = train(_cfg(epochs=3, val_fraction=0.0, checkpoint_dir=ck))
    assert all(set(h) == {"epoch", "train_loss", "train_mae", "seconds"} for h in res["history"])
    assert res["best"] == res["final"] and res["best_epoch"] == 3
    assert load_checkpoint(os.path.join(ck, "best.pt"))["epoch"] == 2
    with open(os.path.join(ck, "metrics.csv")) as fh:
        assert next(csv.reader(fh)) == ["epoch", "train_loss", "train_mae", "seconds"]


def test_batches_count_each_graph_once_across_ranks():
    import numpy as np

    _batches = sys.modules["equiact.sn.train"]._batches

    for n, bs, world in [(5, 8, 2), (5, 2, 3), (17, 4, 2), (3, 1, 4), (9, 9, 3), (20, 3, 3)]:
        counted, steps = [], set()
        for rank in range(world):
            got = _batches(range(n), bs, np.random.default_rng(0), rank, world)
            steps.add(len(got))
            counted += [i for b, c in got if c for i in b]
        assert len(steps) == 1 and min(steps) >= 1  # every rank takes part in every step
        assert len(counted) == len(set(counted))  # nothing counted twice
        n_batches = -(-n // bs)
        if n_batches < world:  # fewer batches than ranks: every graph counted exactly once
            assert sorted(counted) == list(range(n))
        else:  # whole rounds of `world` batches; the remainder batches are dropped
            assert len(counted) == min(n, (n_batches // world) * world * bs)


# --- data in: lists, files; warnings; threads; plot --------------------------------------------


def test_train_on_a_list_of_samples_and_pairs(tmp_path):
    import networkx as nx

    pairs = [(nx.cycle_graph(k), 0) for k in range(4, 10)] + \
        [(nx.path_graph(k), 1) for k in range(4, 10)]
    res = train(TrainConfig(dataset=pairs, hidden=4, layers=1, epochs=2, batch_size=4,
                            progress=False, checkpoint_dir=str(tmp_path / "r")))
    assert res["task"] == "classification" and "train_acc" in res["final"]
    state = load_checkpoint(str(tmp_path / "r" / "last.pt"))
    assert state["config"]["dataset"] == "<in-memory list>" and state["out_dim"] == 2
    # resuming on other data is refused
    other = [(g, 1 - y) for g, y in pairs]
    with pytest.raises(InvalidInputError, match="different data"):
        train(TrainConfig(dataset=other, hidden=4, layers=1, epochs=3, batch_size=4,
                          progress=False, checkpoint_dir=str(tmp_path / "r"), resume=True))
    # the former failure: a list gave "TypeError: unhashable type: 'list'"
    from equiact.sn.convert import samples_from_graphs

    samples = samples_from_graphs([g for g, _ in pairs], [[float(y)] for _, y in pairs])
    res = train(TrainConfig(dataset=samples, hidden=4, layers=1, epochs=1, batch_size=4,
                            progress=False))
    assert res["task"] == "regression" and "val_mae" in res["final"]


def test_train_from_dataset_file(tmp_path, capsys):
    import networkx as nx

    from equiact.graphs import to_graph6

    lines = ["# task: regression", "graph\ttriangles"]
    for g in nx.graph_atlas_g()[1:60]:
        tri = sum(nx.triangles(g).values()) // 3
        lines.append(f"{to_graph6(g)}\t{tri}")
    f = tmp_path / "tri.tsv"
    f.write_text("\n".join(lines) + "\n")
    ck = tmp_path / "run"
    assert main(["train", "--dataset", str(f), "--hidden", "4", "--layers", "1", "--epochs",
                 "2", "--no-progress", "--json", "--checkpoint", str(ck)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["task"] == "regression" and "val_mae" in out["final"]
    state = load_checkpoint(str(ck / "best.pt"))
    assert state["target_names"] == ["triangles"] and state["config"]["dataset"] == str(f)
    # a pathlib.Path works as well as a string
    res = train(TrainConfig(dataset=f, hidden=2, layers=1, epochs=1, progress=False))
    assert res["task"] == "regression"
    assert main(["train", "--dataset", str(tmp_path / "nope.tsv"), "--no-progress"]) == 2
    assert "or give the path of a data set file" in capsys.readouterr().err


def test_wl_conflicts_known_pairs():
    import networkx as nx

    from equiact.sn.convert import samples_from_graphs
    from equiact.sn.train import wl_conflicts

    two_triangles = nx.disjoint_union(nx.cycle_graph(3), nx.cycle_graph(3))
    assert wl_conflicts(samples_from_graphs([nx.cycle_graph(6), two_triangles], [0, 1])) == \
        (2, [0, 1])  # both 2-regular on 6 nodes: 1-WL cannot tell them apart
    assert wl_conflicts(samples_from_graphs([nx.cycle_graph(6), nx.path_graph(6)], [0, 1])) == \
        (0, [])
    # same class, same colours: no conflict; a tree pair 1-WL separates only after 2 rounds
    t1 = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (1, 5)])
    t2 = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (2, 5)])
    assert wl_conflicts(samples_from_graphs([t1, t2, t1], [0, 1, 0])) == (0, [])
    assert wl_conflicts(samples_from_graphs([t1, t2, t1], [0, 1, 1])) == (2, [0, 1])


def test_cli_threads_and_help_defaults(capsys):
    assert main(["train", "--threads", "0", "--no-progress"]) == 2
    assert "--threads must be a whole number >= 1" in capsys.readouterr().err
    old = torch.get_num_threads()
    try:
        assert main(["train", "--dataset", "atlas", "--hidden", "2", "--layers", "1",
                     "--epochs", "1", "--limit", "10", "--no-progress", "--threads",
                     "2"]) == 0
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(old)
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 16)" in text and "(default: 0.2)" in text and "(default: 8.0)" in text
    from equiact.cli.train import DEFAULT_MAX_MEMORY_GB
    from equiact.sn.memory import DEFAULT_MAX_MEMORY_GB as LIBRARY_DEFAULT

    assert DEFAULT_MAX_MEMORY_GB == LIBRARY_DEFAULT


def test_plot_learning_curves(tmp_path, capsys, monkeypatch):
    png = tmp_path / "curves.png"
    pytest.importorskip("matplotlib")
    assert main(["train", "--dataset", "atlas", "--hidden", "2", "--layers", "1", "--epochs",
                 "2", "--limit", "20", "--no-progress", "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["train", "--dataset", "atlas", "--no-progress", "--plot",
                 str(tmp_path / "no" / "c.png")]) == 2  # refused before training
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    capsys.readouterr()
    assert main(["train", "--dataset", "atlas", "--epochs", "1", "--no-progress", "--plot",
                 str(png)]) == 2
    assert "pip install matplotlib==3.11.2" in capsys.readouterr().err


def test_constant_target_is_centred_not_divided_by_a_tiny_std():
    from types import SimpleNamespace

    from equiact.sn.train import _target_scale

    ys = [torch.tensor([0.0, 0.1, float(k)]) for k in range(5)]
    samples = [SimpleNamespace(y=y) for y in ys]
    mean, std = _target_scale(samples, list(range(5)), "regression")
    assert torch.allclose(mean, torch.tensor([0.0, 0.1, 2.0]))
    # the two constant columns get std 1 (a clamped 1e-6 made their loss ~1e12 times too big)
    assert std.tolist()[:2] == [1.0, 1.0]
    assert std[2].item() == pytest.approx(2.0 ** 0.5)
