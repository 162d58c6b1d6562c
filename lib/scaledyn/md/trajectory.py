"""Trajectory samples in GSD (HOOMD schema), readable by OVITO, freud and ``gsd.hoomd``.

GSD follows HOOMD's conventions: positions in :math:`[-L/2, L/2)` (we store :math:`[0, L)`, so we
shift by :math:`L/2`), integer ``particles.image`` flags, 2D boxes with ``dimensions = 2`` and
``Lz = 1``. Unwrapped positions are :math:`\\mathbf x + \\mathbf n L` with the frame's box;
:func:`read_unwrapped` returns them. Velocities and type ids are stored too.
"""

import csv
import os
from pathlib import Path

import gsd.hoomd
import numpy as np

from .run import Observer, ThermoLog
from .state import TMP_SUFFIX, _new_file_mode, atomic_write


def _frame(state, model) -> gsd.hoomd.Frame:
    n, d = state.n, state.dim
    frame = gsd.hoomd.Frame()
    frame.configuration.step = int(state.step)
    frame.configuration.dimensions = d
    box3 = np.ones(3)
    box3[:d] = state.box
    frame.configuration.box = [box3[0], box3[1], box3[2], 0.0, 0.0, 0.0]
    pos = np.zeros((n, 3), np.float32)
    # frames are written in particle-id order (the engine re-orders slots spatially)
    pos[:, :d] = state.by_tag(state.pos) - 0.5 * state.box
    img = np.zeros((n, 3), np.int32)
    img[:, :d] = state.by_tag(state.image)
    vel = np.zeros((n, 3), np.float32)
    vel[:, :d] = state.by_tag(state.vel)
    frame.particles.N = n
    frame.particles.types = list(model.type_names)
    frame.particles.typeid = state.by_tag(state.types).astype(np.uint32)
    frame.particles.position = pos
    frame.particles.image = img
    frame.particles.velocity = vel
    frame.particles.mass = np.asarray(model.masses, np.float32)[state.by_tag(state.types)]
    return frame


class GSDWriter(Observer):
    """Appends a frame to ``path`` at the scheduled steps (``mode="a"`` continues an existing file).

    Positions are stored as float32 (GSD's schema); with image flags this gives unwrapped positions
    to ~1e-6 relative precision, ample for F_s(k, t) and mean-square displacements.
    """

    def __init__(self, path, every=None, steps=None, mode: str = "w"):
        super().__init__(every, steps)
        if mode not in ("w", "a"):
            raise ValueError(f"mode must be 'w' or 'a', got {mode!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if mode == "w" or not self.path.exists():
            mode_bits = _new_file_mode(self.path)
            with gsd.hoomd.open(self.path, "w"):
                pass
            os.chmod(self.path, mode_bits)  # gsd creates 0640 whatever the umask

    def __call__(self, state, model):
        with gsd.hoomd.open(self.path, "r+") as traj:
            traj.append(_frame(state, model))


def read_unwrapped(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(steps, unwrapped positions (F, N, d), boxes (F, d))`` from a GSD file written by GSDWriter.
    A missing file is a FileNotFoundError, one that is not a readable trajectory a ValueError, each
    naming the file."""
    steps, pos, boxes = [], [], []
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"trajectory {path} does not exist")
    try:
        with gsd.hoomd.open(path, "r") as traj:
            for frame in traj:
                d = int(frame.configuration.dimensions)
                box = np.asarray(frame.configuration.box[:d], np.float64)
                x = frame.particles.position[:, :d].astype(np.float64) + 0.5 * box
                pos.append(x + frame.particles.image[:, :d] * box)
                boxes.append(box)
                steps.append(int(frame.configuration.step))
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot read the trajectory {path} ({exc})") from exc
    return np.array(steps), np.array(pos), np.array(boxes)


THERMO_FIELDS = ("step", "time", "T", "K", "U", "E", "P", "density", "volume")


class CSVThermo(Observer):
    """Appends a row of :func:`~.state.thermo` observables (``THERMO_FIELDS``) to a CSV file."""

    def __init__(self, path: Path, every: int):
        super().__init__(every=every)
        self.path = path
        self.log = ThermoLog(every=every)
        if not path.exists():
            with path.open("w", newline="") as fh:
                csv.writer(fh).writerow(THERMO_FIELDS)

    def __call__(self, state, model):
        self.log(state, model)
        row = self.log.rows[-1]
        with self.path.open("a", newline="") as fh:
            csv.writer(fh).writerow([row[k] if k == "step" else repr(float(row[k])) for k in THERMO_FIELDS])


def truncate_outputs(out: Path, step: int) -> None:
    """Drop the rows of ``out/thermo.csv`` and the frames of ``out/traj.gsd`` that a run resumed from
    a checkpoint at ``step`` writes again — those after ``step``, and those at step 0 too when
    ``step`` is 0 (:func:`~.run.simulate` fires its observers at a start of 0) — and a last thermo row
    cut short by a kill. Each file is rewritten atomically (a copy, then ``os.replace``), so a kill
    during the rewrite leaves either the old file or the new one, never a half-written one. A file
    that cannot be read is a ValueError naming it."""
    out = Path(out)
    last = step if step > 0 else -1  # the last step whose output survives the resume

    thermo = out / "thermo.csv"
    if thermo.exists():
        try:
            with thermo.open(newline="") as fh:  # keep the csv module's \r\n: a resume is bitwise
                lines = fh.read().splitlines(keepends=True)
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read {thermo} ({exc}); remove it or start a new run") from exc
        if lines and lines[0].rstrip("\r\n") != ",".join(THERMO_FIELDS):
            raise ValueError(f"{thermo} is not a thermo log (header {lines[0][:60]!r}); remove it or "
                             "start a new run")
        width = len(THERMO_FIELDS) - 1
        # a row cut short by a kill lacks its line end (or fields)
        keep = lines[:1] + [ln for ln in lines[1:]
                            if ln.endswith("\n") and ln.count(",") == width and _row_step(ln) <= last]
        atomic_write(thermo, "".join(keep))
    traj = out / "traj.gsd"
    if traj.exists():
        try:
            with gsd.hoomd.open(traj, "r") as fh:
                frames = _whole_frames(fh, last)
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise ValueError(f"cannot read the trajectory {traj} ({exc}); remove it or start a new run") from exc

        def write(tmp):
            with gsd.hoomd.open(tmp, "w") as fh:
                for f in frames:
                    fh.append(f)

        _atomic_gsd(traj, write)


def _whole_frames(traj, last: int) -> list:
    """The frames of an open GSD trajectory up to step ``last``, stopping at the first frame that a
    kill left incomplete (no step or positions of its own: gsd.hoomd would fill them in from frame
    0) or whose step does not increase."""
    frames, previous = [], -1
    for i in range(len(traj)):
        if i and not all(traj.file.chunk_exists(i, name) for name in ("configuration/step", "particles/position")):
            break
        frame = traj[i]
        step = int(frame.configuration.step)
        if step <= previous or step > last:
            break
        frames.append(frame)
        previous = step
    return frames


def _row_step(line: str) -> float:
    """The step column of a thermo row (inf for a row that is not a number: it is dropped)."""
    try:
        return float(line.split(",")[0])
    except ValueError:
        return float("inf")


def _atomic_gsd(path: Path, write) -> None:
    """``write(tmp_path)`` creates a GSD file beside ``path``; it then replaces ``path`` atomically."""
    tmp = path.with_name(path.name + ".rewrite" + TMP_SUFFIX)
    try:
        write(tmp)
        os.chmod(tmp, _new_file_mode(path))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
