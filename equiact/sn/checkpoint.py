"""Checkpoint files of a training run: atomic writes, safe reads, run-directory rules.

A checkpoint holds only tensors and plain data (dicts, lists, tuples, strings, numbers), so
it is read with ``torch.load(..., weights_only=True)``: a file that holds any other pickled
object (which could run code while being unpickled) is refused, and so is a damaged file,
each with a one-line :class:`~equiact.errors.InvalidInputError` naming the file.

Writes go to a temporary file in the same directory, are flushed to disk (``fsync``) and then
renamed over the target (``os.replace``), so a run killed while saving leaves the previous
checkpoint intact, never a truncated one.

>>> import tempfile, torch
>>> d = tempfile.mkdtemp()
>>> save_checkpoint({"epoch": 3, "w": torch.ones(2)}, os.path.join(d, "last.pt"))
>>> load_checkpoint(os.path.join(d, "last.pt"), required=False)["epoch"]
3
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import torch

from equiact.errors import InvalidInputError

__all__ = [
    "RUN_FILES",
    "save_checkpoint",
    "load_checkpoint",
    "atomic_write_text",
    "prepare_run_dir",
]

#: Files a training run writes into its checkpoint directory.
RUN_FILES = ("last.pt", "best.pt", "metrics.csv", "metrics.jsonl")

#: Keys every training checkpoint has, with the type each must have.
REQUIRED_KEYS = {"model": dict, "optimizer": dict, "epoch": int, "history": list,
                 "config": dict}


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic(path: str, write) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # as open() would create it (mkstemp makes it 0600)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def save_checkpoint(state: dict, path: str) -> None:
    """Write ``state`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    _atomic(path, lambda fh: torch.save(state, fh))


def atomic_write_text(path: str, text: str) -> None:
    """Replace the text file ``path`` atomically."""
    _atomic(path, lambda fh: fh.write(text.encode("utf-8")))


def load_checkpoint(path: str, required: bool = True) -> dict:
    """Read a checkpoint with ``weights_only=True``; any failure is one ``InvalidInputError``.

    With ``required`` the file must also have the keys of a training checkpoint
    (``model``, ``optimizer``, ``epoch``, ``history``, ``config``).
    """
    if not os.path.isfile(path):
        raise InvalidInputError(f"no checkpoint file at {path!r}")
    if os.path.getsize(path) == 0:
        raise InvalidInputError(f"checkpoint {path!r} is empty (0 bytes; damaged); delete it "
                                "or use another checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 -- every unpickling failure ends the same way
        msg = str(err)
        glob = next((ln.strip() for ln in msg.splitlines() if "GLOBAL" in ln), None)
        if glob is not None:
            raise InvalidInputError(
                f"checkpoint {path!r} holds pickled objects other than tensors and plain "
                f"data ({glob.rstrip('.')}); refused because loading it could run code. Use "
                "a checkpoint written by equiact train"
            ) from None
        lines = [ln.strip() for ln in msg.splitlines() if ln.strip()]
        why = next((ln for ln in lines if ln.startswith("Unsupported operand")), None)
        why = why or (lines[0].split(". ")[0] if lines else type(err).__name__)
        raise InvalidInputError(
            f"checkpoint {path!r} is damaged or not a PyTorch checkpoint ({why}); delete it "
            "or use another checkpoint"
        ) from None
    if not isinstance(state, dict):
        raise InvalidInputError(
            f"checkpoint {path!r} holds a {type(state).__name__}, not an equiact training "
            "checkpoint (a dict)")
    if required:
        for key, kind in REQUIRED_KEYS.items():
            if not isinstance(state.get(key), kind):
                raise InvalidInputError(
                    f"checkpoint {path!r} lacks {key!r} (or it is not a {kind.__name__}); it "
                    "was not written by equiact train, or is from an incompatible version")
    return state


def prepare_run_dir(directory: str, resume: bool = False, overwrite: bool = False) -> None:
    """Create ``directory`` and make sure it is writable, before any training starts.

    An existing run (any of :data:`RUN_FILES`) is refused unless ``resume`` (continue it) or
    ``overwrite`` (its files are deleted here) is given.
    """
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise InvalidInputError(f"checkpoint path {directory!r} is a file; give a directory")
    try:
        os.makedirs(directory, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise InvalidInputError(
            f"cannot write checkpoints to {directory!r}: {err.strerror or err}; give a "
            "writable directory") from None
    present = [f for f in RUN_FILES if os.path.exists(os.path.join(directory, f))]
    if resume:
        if not os.path.exists(os.path.join(directory, "last.pt")):
            raise InvalidInputError(
                f"no checkpoint to resume at {os.path.join(directory, 'last.pt')}; train "
                "without --resume")
        return
    if present and not overwrite:
        raise InvalidInputError(
            f"checkpoint directory {directory!r} already holds a run ({', '.join(present)}); "
            "continue it with --resume, replace it with --overwrite, or choose another "
            "directory")
    for f in present:
        with contextlib.suppress(FileNotFoundError):  # another rank may have removed it
            os.unlink(os.path.join(directory, f))
