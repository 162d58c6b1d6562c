r"""Simulation state (positions, velocities, box, types, neighbour list), initial configurations and
checkpoints.

Positions are kept wrapped in :math:`[0, L)` together with integer image flags, so the unwrapped
positions needed for dynamics (mean-square displacement, :math:`F_s(k,t)`) are
:math:`\mathbf x + \mathbf n L` (:meth:`State.unwrapped`), exactly as LAMMPS and HOOMD store them.

A checkpoint (:func:`save_checkpoint`) holds every array the integrator reads, including the
neighbour list and its reference positions, so that a restarted run continues bitwise-identically to
an uninterrupted one (with the same number of Numba threads: how the force sums are split between
threads depends on it). Checkpoints are written atomically (temporary file, then ``os.replace``).
"""

import json
import os
import tempfile
import zipfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numba
import numpy as np

from .._checks import real_scalar
from . import neighbour_list as nb
from .models import Model, _validated
from .forces import forces_energy_virial
from .potentials import legacy_table, table_from_json, table_to_json

CHECKPOINT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt or inconsistent; the message says what and where."""


@dataclass
class State:
    """Everything that evolves. Arrays are float64 unless noted; ``types`` int32, ``image`` int64.

    The engine re-orders particles spatially at every neighbour-list build; ``tag[i]`` (int64) is the
    permanent id of the particle stored in slot i. The raw arrays are in slot order (use them for
    anything that needs only the configuration); :meth:`unwrapped` and :meth:`by_tag` return arrays
    in id order, which is what dynamics (displacements of the same particle) needs.
    """

    pos: np.ndarray
    vel: np.ndarray
    force: np.ndarray
    types: np.ndarray
    image: np.ndarray
    box: np.ndarray
    nl: nb.NeighbourList
    step: int = 0
    potential_energy: float = 0.0
    virial: float = 0.0
    tag: np.ndarray | None = None

    def __post_init__(self):
        if self.tag is None:
            self.tag = np.arange(self.pos.shape[0], dtype=np.int64)

    @property
    def n(self) -> int:
        return self.pos.shape[0]

    @property
    def dim(self) -> int:
        return self.pos.shape[1]

    @property
    def volume(self) -> float:
        return float(np.prod(self.box))

    @property
    def density(self) -> float:
        return self.n / self.volume

    def by_tag(self, array: np.ndarray) -> np.ndarray:
        """A per-particle array re-ordered from slot order to particle-id order."""
        out = np.empty_like(array)
        out[self.tag] = array
        return out

    def unwrapped(self) -> np.ndarray:
        """Unwrapped positions :math:`\\mathbf x + \\mathbf n L` (current box), in particle-id order."""
        return self.by_tag(self.pos + self.image * self.box)

    def copy(self) -> "State":
        return State(self.pos.copy(), self.vel.copy(), self.force.copy(), self.types.copy(),
                     self.image.copy(), self.box.copy(), self.nl.copy(), self.step, self.potential_energy, self.virial, self.tag.copy())


def dims_of(d: int) -> tuple:
    """The compile-time dimension tag passed to kernels (a tuple of length d)."""
    return (0,) * d


def thermo(state: State, model: Model) -> dict:
    """Instantaneous observables per particle: T, K/N, U/N, E/N, P, density, volume, step, time."""
    n, d = state.n, state.dim
    masses = np.asarray(model.masses)[state.types]
    twok = float((masses[:, None] * state.vel**2).sum())
    vol = state.volume
    return {
        "step": state.step,
        "time": state.step * model.dt,
        "T": twok / (d * (n - 1)),
        "K": 0.5 * twok / n,
        "U": state.potential_energy / n,
        "E": (0.5 * twok + state.potential_energy) / n,
        "P": (twok + state.virial) / (d * vol),
        "density": n / vol,
        "volume": vol,
    }


def compute_forces(state: State, model: Model) -> State:
    """(Re)build the neighbour list and compute forces, U and W for the current positions."""
    state.nl = nb.update(state.nl, state.pos, state.types, state.box, state.image, state.vel, state.force,
                         state.tag)
    u, w, _ = forces_energy_virial(dims_of(state.dim), numba.get_num_threads(), model.params, state.pos, state.types,
                                   state.box, state.nl.pairs, state.nl.npair, state.force)
    if not (np.isfinite(u) and np.isfinite(w)):
        # two particles at (almost) the same place: every later step would be NaN
        raise ValueError(f"the potential energy of this configuration is not finite (U = {u}): "
                         "particles coincide or overlap")
    state.potential_energy, state.virial = float(u), float(w)
    return state


def _lattice(n: int, d: int, box: np.ndarray) -> np.ndarray:
    # simple cubic / square lattice filling the box; the first n sites of ceil(n^(1/d))^d
    side = int(np.ceil(n ** (1.0 / d) - 1e-9))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * d, indexing="ij"), -1).reshape(-1, d)[:n]
    return (grid + 0.5) * (box / side)


def _random_nonoverlapping(n, d, box, types, sigma, rng, fraction=0.7, max_tries=5000):
    # random sequential insertion with pair distance >= fraction * sigma_ij (cell-free; fine for n ~ 1e4)
    pos = np.empty((n, d))
    placed = 0
    for i in range(n):
        for _ in range(max_tries):
            x = rng.random(d) * box
            dx = pos[:placed] - x
            dx -= box * np.rint(dx / box)
            r2 = (dx**2).sum(1)
            if placed == 0 or np.all(r2 >= (fraction * sigma[types[i], types[:placed]]) ** 2):
                break
        else:
            raise RuntimeError(f"random insertion failed at particle {i}: density too high for "
                               f"min distance {fraction}*sigma; use kind='lattice'")
        pos[placed] = x
        placed += 1
    return pos


def initial_state(model: Model, T: float = 1.0, *, density: float | None = None, seed: int = 0,
                  kind: str = "lattice") -> State:
    """A starting configuration at temperature T: lattice (default) or random non-overlapping.

    ``kind="lattice"``: simple cubic (3D) / square (2D) sites, types shuffled; melt it by running at
    high T. ``kind="random"``: random sequential insertion keeping pairs beyond 0.7 sigma_ij. Velocities
    are Maxwell-Boltzmann, centre-of-mass momentum removed, scaled to exactly T (d(N-1) degrees of
    freedom). ``density`` defaults to ``model.density``.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a scaledyn.md Model, got {type(model).__name__}")
    T = real_scalar(T, "T", positive=True)
    density = real_scalar(model.density if density is None else density, "density", positive=True)
    if kind not in ("lattice", "random"):
        raise ValueError(f"kind must be 'lattice' or 'random', got {kind!r}")
    n, d = model.n, model.dim
    rng = np.random.default_rng(seed)
    box = np.full(d, (n / density) ** (1.0 / d))
    nb.check_box(box, model.rc_max, model.skin)
    counts = np.round(np.asarray(model.type_fractions) * n).astype(int)
    counts[-1] = n - counts[:-1].sum()
    types = rng.permutation(np.repeat(np.arange(model.ntypes), counts)).astype(np.int32)
    if kind == "lattice":
        pos = _lattice(n, d, box)
    else:
        sigma = np.sqrt(model.params["sigma2"])
        pos = _random_nonoverlapping(n, d, box, types, sigma, rng)
    masses = np.asarray(model.masses)[types]
    vel = rng.normal(size=(n, d)) * np.sqrt(T / masses)[:, None]
    vel -= (masses[:, None] * vel).sum(0) / masses.sum()
    vel *= np.sqrt(T * d * (n - 1) / (masses[:, None] * vel**2).sum())
    nl = nb.allocate(pos, types, box, model.params, model.skin)
    state = State(pos, vel, np.zeros((n, d)), types, np.zeros((n, d), np.int64), box, nl)
    return compute_forces(state, model)


# ----------------------------------------------------------------------------------------------------
# checkpoints

_ARRAYS = ("pos", "vel", "force", "types", "image", "box", "tag")
_NL_ARRAYS = ("nbr", "counts", "ref_pos", "ref_box", "cut2")


def _model_to_json(model: Model) -> str:
    data = asdict(model)
    data["params"] = table_to_json(model.params)["params"]
    return json.dumps(data)


def _model_from_json(text: str) -> Model:
    data = json.loads(text)
    if "kind" in data:  # written before parameter records: an integer kind and a float table
        data["potential"], data["params"] = legacy_table(data.pop("kind"), data["params"])
    else:
        data["params"] = table_from_json(data["potential"], data["params"])
    for key in ("type_names", "type_fractions", "masses"):
        data[key] = tuple(data[key])
    names = {f.name for f in fields(Model)}
    if set(data) != names:
        raise ValueError(f"model record has fields {sorted(data)}, expected {sorted(names)}")
    return _validated(Model(**data))


#: Suffix of the temporary files of :func:`atomic_write` and of the resume's rewrites.
TMP_SUFFIX = ".tmp"


def _new_file_mode(path: Path) -> int:
    """The permission bits a plain ``open(path, "w")`` would give: those of the file it replaces, else
    0666 minus the umask (``mkstemp`` alone would make every output 0600, unreadable to a group)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path, content, *, binary: bool | None = None) -> Path:
    """Write ``content`` (str, bytes, or a callable ``f(file_object)``) to ``path`` atomically: a
    temporary file ``<name>.<random>.tmp`` in the same folder, fsync, then ``os.replace``. On any
    failure the temporary file is removed and ``path`` is left as it was; a temporary file orphaned by
    a kill is removed by the next resume (:func:`discard_temporaries`). The new file gets the mode of
    the one it replaces, else the umask's. The file is opened in binary mode for bytes or
    ``binary=True`` (e.g. ``atomic_write(p, lambda fh: np.savez(fh, **arrays), binary=True)``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = isinstance(content, bytes) if binary is None else binary
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=TMP_SUFFIX)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb" if binary else "w") as fh:
            content(fh) if callable(content) else fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def discard_temporaries(folder) -> list[Path]:
    """Remove the temporary files (``*.tmp``) a killed writer left in ``folder``; returns them.
    Call it only while holding the folder's :class:`FolderLock` (a live writer's file would go)."""
    stale = sorted(Path(folder).glob("*" + TMP_SUFFIX))
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


class FolderBusyError(RuntimeError):
    """Another live process holds the lock of an output folder."""


class FolderLock:
    """An exclusive, non-blocking ``flock`` on ``folder/lock`` for the life of a run, so that two
    processes (two resumes of one run, an orphaned worker of a killed campaign) never write the same
    output. The OS releases it when the holder dies, so a kill never leaves a stale lock.
    Raises ``error`` (default :class:`FolderBusyError`) naming the holder's pid."""

    error: type = FolderBusyError

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / "lock"

    def __enter__(self):
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            raise self.error(f"{self.path} is held by another running job (pid {holder or '?'}); "
                             "wait for it or stop it, then rerun") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"{os.getpid()}\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        self.fh.close()


def save_checkpoint(path: str | os.PathLike, state: State, model: Model, extra: dict | None = None) -> Path:
    """Write state + model (+ JSON-able ``extra``, e.g. run settings) atomically to ``path`` (.npz)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"version": CHECKPOINT_VERSION, "step": state.step, "potential_energy": state.potential_energy,
            "virial": state.virial, "skin": state.nl.skin, "rc_max": state.nl.rc_max,
            "builds": state.nl.builds, "threads": numba.get_num_threads(), "extra": extra or {}}
    payload = {k: getattr(state, k) for k in _ARRAYS}
    payload.update({"nl_" + k: getattr(state.nl, k) for k in _NL_ARRAYS})
    payload["meta"] = np.array(json.dumps(meta))
    payload["model"] = np.array(_model_to_json(model))
    return atomic_write(path, lambda fh: np.savez(fh, **payload), binary=True)


def _check_values(path, data: dict, meta: dict, model: Model) -> None:
    """CheckpointError unless every value the kernels index or divide by is in range: a crafted or
    damaged file must not reach them (out-of-bounds reads, division by a zero box)."""
    n, nt = model.n, model.ntypes

    def bad(what):
        raise CheckpointError(f"checkpoint {path}: {what}")

    for key in ("pos", "vel", "force", "box", "nl_ref_pos", "nl_ref_box", "nl_cut2"):
        if not np.all(np.isfinite(data[key])):
            bad(f"array {key} contains NaN or inf")
    for key in ("types", "image", "tag", "nl_nbr", "nl_counts"):
        if not np.issubdtype(data[key].dtype, np.integer):
            bad(f"array {key} must hold integers, got dtype {data[key].dtype}")
    step = meta.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        bad(f"step must be an integer >= 0, got {step!r}")
    for key in ("skin", "rc_max", "potential_energy", "virial"):
        if isinstance(meta.get(key), bool) or not isinstance(meta.get(key), (int, float)) \
                or not np.isfinite(meta[key]):
            bad(f"{key} must be a finite number, got {meta.get(key)!r}")
    if meta["skin"] <= 0:
        bad(f"skin must be > 0, got {meta['skin']}")
    if not isinstance(meta.get("builds"), int) or meta["builds"] < 0:
        bad(f"builds must be an integer >= 0, got {meta.get('builds')!r}")
    cut2, rc_max = nb.list_radii(model.params, meta["skin"])
    if data["nl_cut2"].shape != cut2.shape or not np.allclose(data["nl_cut2"], cut2) \
            or not np.isclose(meta["rc_max"], rc_max):
        bad("the neighbour-list cut-offs (nl_cut2, rc_max) do not match the model's potential and skin")
    if data["types"].min(initial=0) < 0 or data["types"].max(initial=0) >= nt:
        bad(f"type indices must lie in 0..{nt - 1} (model {model.name} has {nt} type(s))")
    if np.any(data["box"] <= 0) or np.any(data["nl_ref_box"] <= 0):
        bad(f"box sides must be > 0, got {data['box'].tolist()}")
    try:
        nb.check_box(data["box"], model.rc_max, meta["skin"])
    except ValueError as exc:
        bad(str(exc))
    nbr, counts = data["nl_nbr"], data["nl_counts"]
    if (nbr.ndim != 2 or nbr.shape[0] != n or counts.min(initial=0) < 0 or counts.max(initial=0) > nbr.shape[1]
            or nbr.min(initial=0) < 0 or nbr.max(initial=0) >= n):
        bad(f"the neighbour list (nl_nbr, nl_counts) is not a valid list of {n} particles")


def load_checkpoint(path: str | os.PathLike) -> tuple[State, Model, dict]:
    """Read a checkpoint; returns ``(state, model, meta)``. Raises CheckpointError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        meta = json.loads(str(data["meta"]))
        model = _model_from_json(str(data["model"]))
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError, TypeError, EOFError) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt or not a scaledyn.md checkpoint: {exc}") from exc
    if meta.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"checkpoint {path} has version {meta.get('version')}, expected {CHECKPOINT_VERSION}")
    missing = [k for k in _ARRAYS + tuple("nl_" + k for k in _NL_ARRAYS) if k not in data]
    if missing:
        raise CheckpointError(f"checkpoint {path} lacks arrays {missing}")
    n, d = model.n, model.dim
    shapes = {"pos": (n, d), "vel": (n, d), "force": (n, d), "types": (n,), "image": (n, d), "box": (d,), "tag": (n,),
              "nl_ref_pos": (n, d), "nl_ref_box": (d,), "nl_counts": (n,)}
    for key, shape in shapes.items():
        if data[key].shape != shape:
            raise CheckpointError(f"checkpoint {path}: array {key} has shape {data[key].shape}, expected {shape}")
    _check_values(path, data, meta, model)
    nl = nb.NeighbourList(data["nl_nbr"].astype(np.int32), data["nl_counts"].astype(np.int32),
                         data["nl_ref_pos"].astype(np.float64), data["nl_ref_box"].astype(np.float64),
                         meta["skin"], data["nl_cut2"].astype(np.float64), meta["rc_max"], meta["builds"])
    state = State(data["pos"].astype(np.float64), data["vel"].astype(np.float64),
                  data["force"].astype(np.float64), data["types"].astype(np.int32),
                  data["image"].astype(np.int64), data["box"].astype(np.float64), nl,
                  int(meta["step"]), float(meta["potential_energy"]), float(meta["virial"]),
                  data["tag"].astype(np.int64))
    if not np.array_equal(np.sort(state.tag), np.arange(n)):
        raise CheckpointError(f"checkpoint {path}: particle ids (tag) are not a permutation of 0..N-1")
    return state, model, meta
