r"""The campaign's files: JSON summaries and the shared manifest, per-point locks, checkpoints and
the truncation of scratch output on resume. Every write is atomic (:func:`atomic_write`): a kill
leaves the old file or the new one, never a torn one.

**Sharing.** Several campaigns may share one ``OUT`` folder: every manifest update re-reads the file
under an ``flock`` on the folder and changes only its own entries (:func:`update_manifest`); a
per-point ``lock`` file (:class:`PointLock`) keeps two processes off the same state point.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from scaledyn import __version__

from .._checks import read_json as _read_json
from ..md.state import (TMP_SUFFIX, CheckpointError, FolderLock, atomic_write, discard_temporaries,
                        load_checkpoint)
from ..md.trajectory import truncate_outputs

__all__ = ["CampaignError", "read_json", "to_json", "now", "code_version", "truncate_point", "PointLock",
           "update_manifest", "fresh_folder", "load_point_checkpoint", "atomic_write", "discard_temporaries"]


class CampaignError(RuntimeError):
    """A campaign cannot proceed (corrupt or inconsistent files); the message names the file."""



def read_json(path, required=()) -> dict:
    """A JSON object from ``path``; CampaignError naming the file if it is unreadable or lacks keys."""
    return _read_json(path, required, error=CampaignError, hint="; remove it to recompute")


def to_json(obj) -> str:
    return json.dumps(obj, indent=1, allow_nan=True) + "\n"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def code_version() -> str:
    """``git describe --always --dirty`` of the repository holding the package, else its version."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], capture_output=True,
                             text=True, cwd=Path(__file__).parent, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return f"scaledyn {__version__} (git {out.stdout.strip()})"
    except (OSError, subprocess.SubprocessError):
        pass
    return f"scaledyn {__version__}"


def truncate_point(folder, step) -> None:
    """Remove temporaries a kill left, then drop output a resume from checkpoint ``step`` writes again
    (:func:`scaledyn.md.trajectory.truncate_outputs`: atomic rewrites). Call it under the
    :class:`PointLock`."""
    discard_temporaries(folder)
    try:
        truncate_outputs(Path(folder), step)
    except ValueError as exc:
        raise CampaignError(f"cannot resume: {exc}") from exc


class PointLock(FolderLock):
    """An exclusive ``flock`` on ``folder/lock`` for the life of a job (:class:`~scaledyn.md.state.FolderLock`):
    a second process (e.g. an orphaned worker of a killed campaign) cannot work on the same state
    point. The OS releases it when the holder dies."""

    error = CampaignError


def update_manifest(path: Path, change) -> dict:
    """Read-modify-write the manifest ``path`` under an exclusive ``flock`` on its folder.

    ``change(manifest)`` mutates the manifest read from disk (``None`` when there is none yet; it then
    returns the new one). Written atomically; returns what was written. Campaigns sharing an output
    folder thus never lose each other's entries. (The lock is on the folder, not on the file, which
    :func:`atomic_write` replaces; a blocking lock: updates take milliseconds.)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in path.parent.glob(path.name + ".*" + TMP_SUFFIX):  # left by a killed update
            stale.unlink(missing_ok=True)
        current = read_json(path, ("settings", "sessions", "state_points")) if path.exists() else None
        new = change(current)
        manifest = current if new is None else new
        atomic_write(path, to_json(manifest))
    finally:
        os.close(fd)  # releases the lock
    return manifest


def fresh_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def load_point_checkpoint(path: Path):
    try:
        return load_checkpoint(path)
    except CheckpointError as exc:
        raise CampaignError(f"cannot resume: {exc}") from exc
