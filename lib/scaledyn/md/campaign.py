r"""Production campaigns: a temperature ladder per model, run as independent, resumable jobs.

``python -m scaledyn.md campaign binary3d --out data/md/binary3d --workdir runs/binary3d`` runs, for
every temperature of the ladder, one *state point job*:

1. **melt** a lattice at ``melt_T`` (``melt_steps``, not checkpointed: cheap and deterministic);
2. **equilibrate** for :math:`t_\mathrm{eq} = \max(n_\mathrm{eq}\,\tau_\mathrm{est}(T),\ t_\mathrm{eq,min})`
   in the model's ensemble (binary3d NPT at p = 10, hump2d NVT at ρ = 0.8);
3. **produce** for :math:`t_\mathrm{prod} = \max(n_\mathrm{prod}\,\tau_\mathrm{est}(T),\ t_\mathrm{prod,min})`,
   writing frames log-spaced in blocks of :math:`b = n_\mathrm{block}\tau_\mathrm{est}` (many time
   origins for :math:`F_s(k,t)`, :func:`~.run.log_schedule`) plus frames evenly spaced every
   ``species_every`` steps (quasi-species counts), and thermo rows;
4. **analyse**: :math:`F_s(k,t)` (:func:`scaledyn.analysis.isf.self_isf`, origins at block starts),
   :math:`\tau_\alpha` at :math:`F_s = 1/e`; if the run is shorter than ``min_tau`` measured
   :math:`\tau_\alpha` it is **extended** (same blocks) to :math:`n_\mathrm{prod}\tau_\alpha`, at
   most ``max_extensions`` times; then means and block errors of ρ, U, E, K, P, T; the
   quasi-species concentrations per snapshot (:mod:`scaledyn.analysis.quasi_species`); and the
   equilibration evidence: no ageing (τα of the two halves of production agree within
   :math:`3\sigma`) and stationarity (the halves' means of U, ρ, P agree within :math:`3\sigma`).

Outputs (small files, written atomically with :func:`atomic_write`) in ``OUT/T<T:.4f>/``:
``summary.json`` (written last: its presence means *done*), ``fs.csv`` (the F_s curve,
:func:`~scaledyn.analysis.isf.read_isf` reads it) and ``species.csv`` (concentrations per snapshot);
and ``OUT/manifest.json`` (code version, command, seeds, parameters, run lengths, evidence per T,
start/end times). Scratch (checkpoints, thermo, GSD trajectories) goes to ``WORKDIR/T<T>/`` —
``runs/<model>/`` by default, which git ignores.

**Resuming.** Re-running the same command skips every state point with a summary and continues
the others from their checkpoints (the engine's checkpoints restart bitwise-identically for the same
thread count); output written after a checkpoint is discarded first. A corrupt summary or manifest
is an error naming the file, never silently overwritten; a manifest written with other settings is
refused (choose another ``--out``), except that the ladder may grow. A state point that fails (blow-up,
corrupt checkpoint) is recorded with its error in the manifest and does not stop the others; a
per-point ``lock`` file (``flock``) keeps two processes from working on the same point. Several
campaigns may share one ``OUT`` (e.g. a second command adding colder points while the first runs):
every manifest update re-reads the file under an ``flock`` on the ``OUT`` folder and changes only
its own session and state points, so no process overwrites what another recorded.

**Executors.** Jobs go to a :class:`concurrent.futures.ProcessPoolExecutor` (``spawn`` start
method: Numba's OpenMP layer is not fork-safe) with ``workers`` processes of ``threads`` Numba
threads each (default ``workers × threads`` = cores), or run in the calling process with
``workers=0``, or go to a Dask cluster (``scheduler="tcp://host:8786"``; needs the optional
``dask[distributed]``).

Units: reduced (ε, σ, m, τ = σ√(m/ε), k_B = 1); times in τ, T in ε/k_B, k in σ⁻¹.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import multiprocessing
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numba
import numpy as np

from scaledyn import __version__

from .._checks import read_json as _read_json
from ..analysis.isf import self_isf
from ..analysis.quasi_species import (average_concentrations, binary3d_scheme, hump2d_scheme,
                                      trajectory_concentrations)
from .models import MODEL_NAMES, get_model
from .run import Checkpointer, log_schedule, simulate
from .state import CheckpointError, atomic_write, initial_state, load_checkpoint  # noqa: F401 (atomic_write is public here too)
from .trajectory import CSVThermo, GSDWriter, read_unwrapped, truncate_outputs

#: Default ladders (ε/k_B), hot to cold, denser where τα grows fastest (at most a factor 2 in the
#: estimated τα between neighbours; T = 0.31 and 0.125 were added when the production τα showed
#: factors 2.6 and 2.3 across 0.32 → 0.30 and 0.13 → 0.12).
#: binary3d (NPT, p = 10): τα ≈ 0.67 at T = 1.0, 2.9 at 0.5, 6.8 at 0.4, ~10² at 0.3.
#: hump2d (NVT, ρ = 0.8): τα ≈ 0.7 at T = 0.5, 31 at 0.15, ~10³ at 0.1.
DEFAULT_LADDERS = {
    "binary3d": (1.0, 0.85, 0.7, 0.6, 0.5, 0.45, 0.42, 0.4, 0.38, 0.36, 0.34, 0.32, 0.31, 0.3),
    "hump2d": (0.5, 0.4, 0.3, 0.25, 0.22, 0.2, 0.18, 0.17, 0.16, 0.15, 0.14, 0.13, 0.125, 0.12),
}
#: Measured anchors (T, τα in τ) of the estimate :func:`estimate_tau` (ln τα interpolated in 1/T),
#: rounded from the production campaign (``data/md``). Below the coldest anchor the estimate follows
#: the last Arrhenius segment, so it *under*-estimates a super-Arrhenius τα: production is then
#: extended until it covers ``min_tau`` measured τα.
TAU_ANCHORS = {
    "binary3d": ((1.0, 0.67), (0.5, 2.85), (0.4, 6.65), (0.32, 40.0), (0.3, 103.0)),
    "hump2d": ((0.5, 0.69), (0.15, 32.8), (0.13, 116.0), (0.12, 263.0)),
}
#: F_s wave number (σ⁻¹) and the particle type it is computed for (None: all particles).
#: hump2d: the paper's 6.16; our S(k) peak at ρ = 0.8 lies near 7.1-7.3 (pass ``k`` to change).
DEFAULT_K = {"binary3d": (5.1, 1), "hump2d": (6.16, None)}
#: Species recorded per snapshot: the whole neighbour-count histogram (the paper's species are a subset;
#: at p = 10 our binary mixture has more neighbours than the paper's ranges, see chapter 6).
SCHEMES = {"binary3d": lambda: binary3d_scheme(small=(0, 18), large=(0, 24)),
           "hump2d": lambda: hump2d_scheme(counts=(0, 10))}
SUMMARY_KEYS = ("model", "T", "seed", "n", "steps", "density", "U", "E", "P", "k", "tau_alpha",
                "species", "evidence")


class CampaignError(RuntimeError):
    """A campaign cannot proceed (corrupt or inconsistent files); the message names the file."""


@dataclass(frozen=True)
class Settings:
    """Everything that defines a campaign's results (recorded in, and checked against, the manifest).

    Lengths: ``equil_tau``/``prod_tau``/``block_tau`` in units of the estimated τα, with floors
    ``min_equil_time``/``min_prod_time`` in τ; ``min_tau``: production must cover this many
    *measured* τα or it is extended (``max_extensions`` times at most). ``species_frames``: evenly
    spaced snapshots in the first production length. ``k`` in σ⁻¹ (default :data:`DEFAULT_K`).
    ``seed``: the state point at T uses ``seed + round(10⁴ T)`` (independent of the ladder).
    """

    model: str
    temperatures: tuple
    n: int = 4096
    seed: int = 1
    k: float | None = None
    melt_T: float = 2.0
    melt_steps: int = 2000
    equil_tau: float = 20.0
    min_equil_time: float = 100.0
    prod_tau: float = 50.0
    min_prod_time: float = 200.0
    block_tau: float = 5.0
    min_tau: float = 30.0
    max_extensions: int = 2
    species_frames: int = 100
    thermo_every: int = 100
    checkpoint_every: int = 20000
    quick: bool = False

    def __post_init__(self):
        if self.model not in MODEL_NAMES:
            raise ValueError(f"model must be one of {MODEL_NAMES}, got {self.model!r}")
        temps = tuple(float(t) for t in self.temperatures)
        if not temps:
            raise ValueError("temperatures: the ladder is empty")
        if not all(math.isfinite(t) and t > 0 for t in temps):
            raise ValueError(f"temperatures must be finite and > 0, got {temps}")
        if len(set(temps)) != len(temps):
            raise ValueError(f"temperatures must be distinct, got {temps}")
        object.__setattr__(self, "temperatures", temps)
        for name in ("equil_tau", "min_equil_time", "prod_tau", "min_prod_time", "block_tau", "min_tau",
                     "melt_T"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be finite and > 0, got {v!r}")
        for name, lo in (("n", 1), ("melt_steps", 0), ("max_extensions", 0), ("species_frames", 2),
                         ("thermo_every", 1), ("checkpoint_every", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
        if self.k is not None and not (math.isfinite(self.k) and self.k > 0):
            raise ValueError(f"k must be finite and > 0, got {self.k}")
        get_model(self.model, n=self.n)  # rejects an n too small for the box

    @property
    def wave_number(self) -> float:
        return DEFAULT_K[self.model][0] if self.k is None else float(self.k)


def quick_settings(model: str, **changes) -> Settings:
    """The ``--quick`` pipeline check: N = 256, the two hottest temperatures, runs of a few τα."""
    base = dict(model=model, temperatures=DEFAULT_LADDERS[model][:2], n=256, melt_steps=500,
                equil_tau=5.0, min_equil_time=5.0, prod_tau=12.0, min_prod_time=10.0, block_tau=3.0,
                min_tau=4.0, max_extensions=1, species_frames=10, thermo_every=20, checkpoint_every=500,
                quick=True)
    base.update(changes)
    return Settings(**base)


def estimate_tau(model: str, T: float) -> float:
    r"""Rough τα(T) in τ: :math:`\ln\tau_\alpha` linear in 1/T between the anchors of
    :data:`TAU_ANCHORS` (and extrapolated beyond them with the outer segments)."""
    if model not in TAU_ANCHORS:
        raise ValueError(f"model must be one of {tuple(TAU_ANCHORS)}, got {model!r}")
    if not (math.isfinite(T) and T > 0):
        raise ValueError(f"T must be finite and > 0, got {T}")
    x, y = zip(*sorted((1.0 / t, math.log(tau)) for t, tau in TAU_ANCHORS[model]))
    i = int(np.clip(np.searchsorted(x, 1.0 / T) - 1, 0, len(x) - 2))
    slope = (y[i + 1] - y[i]) / (x[i + 1] - x[i])
    return float(math.exp(y[i] + slope * (1.0 / T - x[i])))


# ----------------------------------------------------------------------------------------------------
# small, safe file helpers


def read_json(path, required=()) -> dict:
    """A JSON object from ``path``; CampaignError naming the file if it is unreadable or lacks keys."""
    return _read_json(path, required, error=CampaignError, hint="; remove it to recompute")


def _json(obj) -> str:
    return json.dumps(obj, indent=1, allow_nan=True) + "\n"


def _now() -> str:
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


def point_name(T: float) -> str:
    """Folder name of a state point: ``T0.5000``."""
    return f"T{T:.4f}"


# ----------------------------------------------------------------------------------------------------
# one state point


@dataclass(frozen=True)
class Job:
    """One state point: settings, temperature, seed, folders, steps and Numba threads.

    ``step_budget``: at most this many MD steps in this call (then checkpoint and stop; None = all).
    """

    settings: Settings
    T: float
    seed: int
    out: str
    work: str
    equil_steps: int
    prod_steps: int
    block: int
    species_every: int
    threads: int = 1
    step_budget: int | None = None

    @property
    def summary_path(self) -> Path:
        return Path(self.out) / "summary.json"


def plan_job(settings: Settings, T: float, out, work, threads: int = 1, step_budget=None) -> Job:
    """Run lengths in steps from the τα estimate (production a whole number of pairs of blocks)."""
    model = get_model(settings.model, n=settings.n)
    tau = estimate_tau(settings.model, T)
    steps = lambda t: max(1, int(math.ceil(t / model.dt)))  # noqa: E731
    block = steps(settings.block_tau * tau)
    prod = max(steps(settings.prod_tau * tau), steps(settings.min_prod_time))
    prod = 2 * block * int(math.ceil(prod / (2 * block)))
    return Job(settings, T, settings.seed + int(round(T * 10000)), str(out), str(work),
               equil_steps=max(steps(settings.equil_tau * tau), steps(settings.min_equil_time)),
               prod_steps=prod, block=block, species_every=max(1, prod // settings.species_frames),
               threads=threads, step_budget=step_budget)


def _truncate(folder, step):
    """Drop output written after checkpoint ``step`` (and a thermo row cut short by a kill)."""
    thermo = Path(folder) / "thermo.csv"
    if step == 0:  # the observers fire again at step 0 when the run restarts there
        for name in ("thermo.csv", "traj.gsd"):
            (Path(folder) / name).unlink(missing_ok=True)
        return
    truncate_outputs(Path(folder), step)
    if thermo.exists():
        lines = thermo.read_text().splitlines()
        width = lines[0].count(",")
        thermo.write_text("\n".join(ln for ln in lines if ln.count(",") == width) + "\n")


class _Lock:
    """An exclusive ``flock`` on ``folder/lock`` for the life of a job: a second process (e.g. an
    orphaned worker of a killed campaign) cannot work on the same state point. The OS releases it
    when the holder dies."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "lock"

    def __enter__(self):
        import fcntl
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            raise CampaignError(f"{self.path} is held by another running job (pid {holder or '?'}); "
                                "wait for it or stop it, then rerun") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"{os.getpid()}\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        self.fh.close()


def update_manifest(path: Path, change) -> dict:
    """Read-modify-write the manifest ``path`` under an exclusive ``flock`` on its folder.

    ``change(manifest)`` mutates the manifest read from disk (``None`` when there is none yet; it then
    returns the new one). Written atomically; returns what was written. Campaigns sharing an output
    folder thus never lose each other's entries. (The lock is on the folder, not on the file, which
    :func:`atomic_write` replaces; a blocking lock: updates take milliseconds.)
    """
    import fcntl
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        current = read_json(path, ("settings", "sessions", "state_points")) if path.exists() else None
        new = change(current)
        manifest = current if new is None else new
        atomic_write(path, _json(manifest))
    finally:
        os.close(fd)  # releases the lock
    return manifest


def _fresh(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def _load(path: Path):
    try:
        return load_checkpoint(path)
    except CheckpointError as exc:
        raise CampaignError(f"cannot resume: {exc}") from exc


class _Budget:
    """Steps left to this call (``None``: unlimited) and the checkpoint period."""

    def __init__(self, steps, checkpoint_every):
        self.left = math.inf if steps is None else int(steps)
        self.used = 0
        self.every = checkpoint_every

    def advance(self, state, model, T, target, folder, observers, extra=None) -> bool:
        """Run towards step ``target`` within the budget, checkpoint; True if the target was reached."""
        n = int(min(target - state.step, self.left))
        ck = Path(folder) / "checkpoint.npz"
        simulate(state, model, steps=n, T=T, progress=False,
                 observers=[*observers, Checkpointer(ck, self.every, extra)])
        Checkpointer(ck, 1, extra)(state, model)
        self.left -= n
        self.used += n
        return state.step >= target


def run_job(job: Job) -> dict:
    """Run (or resume) one state point to its summary. Returns ``{"T", "status", "steps"}`` with
    status ``"done"``, ``"skipped"`` (summary already there) or ``"incomplete"`` (step budget spent)."""
    with _Lock(Path(job.work)):
        if job.summary_path.exists():
            read_json(job.summary_path, SUMMARY_KEYS)
            return {"T": job.T, "status": "skipped", "steps": 0}
        threads = numba.get_num_threads()
        numba.set_num_threads(job.threads)
        try:
            return _run_job(job)
        finally:
            numba.set_num_threads(threads)


def _run_job(job: Job) -> dict:
    s, T = job.settings, job.T
    work = Path(job.work)
    eq, prod = work / "equil", work / "prod"
    budget = _Budget(job.step_budget, s.checkpoint_every)
    result = lambda status: {"T": T, "status": status, "steps": budget.used}  # noqa: E731
    t0 = time.time()
    plan = {"target": job.prod_steps, "extensions": 0, "block": job.block, "species_every": job.species_every}
    state = None
    if (prod / "checkpoint.npz").exists():
        state, model, meta = _load(prod / "checkpoint.npz")
        plan = meta["extra"]
        _truncate(prod, state.step)
    if state is None:
        if (eq / "checkpoint.npz").exists():
            state, model, _ = _load(eq / "checkpoint.npz")
            _truncate(eq, state.step)
        else:
            model = get_model(s.model, n=s.n)
            _fresh(eq)
            state = initial_state(model, T=s.melt_T, seed=job.seed)
            simulate(state, model, steps=s.melt_steps, T=s.melt_T, progress=False)
            state.step = 0
        equil_thermo = CSVThermo(eq / "thermo.csv", s.thermo_every)
        if not budget.advance(state, model, T, job.equil_steps, eq, [equil_thermo]):
            return result("incomplete")
        state.step = 0
        _fresh(prod)
    while True:
        target = plan["target"]
        frames = np.union1d(log_schedule(target, plan["block"]), np.arange(0, target + 1, plan["species_every"]))
        observers = [CSVThermo(prod / "thermo.csv", s.thermo_every),
                     GSDWriter(prod / "traj.gsd", steps=frames, mode="a")]
        if not budget.advance(state, model, T, target, prod, observers, plan):
            return result("incomplete")
        analysis = analyse(job, model, state, prod, plan)
        tau = analysis["tau_alpha"]["value"]
        t_prod = target * model.dt
        short = not math.isfinite(tau) or t_prod < s.min_tau * tau
        if not short or plan["extensions"] >= s.max_extensions:
            break
        want = s.prod_tau * tau / model.dt if math.isfinite(tau) else 2 * target
        plan["target"] = 2 * plan["block"] * int(math.ceil(max(want, 1.5 * target) / (2 * plan["block"])))
        plan["extensions"] += 1
        Checkpointer(prod / "checkpoint.npz", 1, plan)(state, model)
    write_summary(job, model, analysis, plan, time.time() - t0)
    return result("done")


# ----------------------------------------------------------------------------------------------------
# analysis of a finished production run


def _halves_agree(a: np.ndarray, n_blocks: int = 5) -> dict:
    """Means of the two halves of a time series with block errors; ``ok`` if they agree within 3σ."""
    h1, h2 = np.array_split(np.asarray(a, float), 2)
    (m1,), (e1,) = average_concentrations(h1[:, None], n_blocks)
    (m2,), (e2,) = average_concentrations(h2[:, None], n_blocks)
    diff, sig = abs(m1 - m2), math.hypot(e1, e2)
    return {"first": m1, "first_err": e1, "second": m2, "second_err": e2,
            "ok": bool(diff <= 3 * sig or diff <= 1e-12 * max(abs(m1), 1.0))}


def _fs(steps, pos, dt, block, k, select, upto=None):
    keep = steps <= (steps[-1] if upto is None else upto)
    st, x = steps[keep], pos[keep]
    lo = st[0]
    origins = np.flatnonzero((st - lo) % block == 0)
    return self_isf((st - lo) * dt, x, k, select=select, origins=origins,
                    max_lag=0.5 * (st[-1] - lo) * dt)


def analyse(job: Job, model, state, prod: Path, plan: dict) -> dict:
    """F_s(k,t), τα (whole run and halves), thermo means and errors, species per snapshot."""
    s = job.settings
    dt, block, target = model.dt, plan["block"], plan["target"]
    steps, pos, boxes = read_unwrapped(prod / "traj.gsd")
    types = state.by_tag(state.types)
    k = s.wave_number
    sel_type = DEFAULT_K[s.model][1]
    select = None if sel_type is None else types == sel_type
    in_log = np.isin(steps, log_schedule(target, block))
    ls, lp = steps[in_log], pos[in_log]
    fs = _fs(ls, lp, dt, block, k, select)
    half = target // 2
    halves = [_fs(ls, lp, dt, block, k, select, upto=half), _fs(ls[ls >= half], lp[ls >= half], dt, block, k, select)]
    taus = [h.tau_alpha() for h in halves]
    (t1, e1), (t2, e2) = taus
    sig = math.hypot(e1, e2)
    ageing = {"tau_first": t1, "tau_first_err": e1, "tau_second": t2, "tau_second_err": e2,
              "ok": bool(abs(t1 - t2) <= 3 * sig) if math.isfinite(sig) else None}
    rows = np.genfromtxt(prod / "thermo.csv", delimiter=",", names=True)
    thermo = {key: average_concentrations(rows[key][:, None], 10) for key in ("density", "U", "E", "K", "P", "T")}
    stationary = {key: _halves_agree(rows[key]) for key in ("U", "density", "P")}
    on_grid = steps % plan["species_every"] == 0
    scheme = SCHEMES[s.model]()
    wrapped = pos[on_grid] - np.floor(pos[on_grid] / boxes[on_grid][:, None, :]) * boxes[on_grid][:, None, :]
    conc, other = trajectory_concentrations(wrapped, boxes[on_grid], types if model.ntypes > 1 else None, scheme)
    c_liq = conc[:, scheme.liquid].sum(axis=1)
    tau, tau_err = fs.tau_alpha()
    return {"fs": fs, "tau_alpha": {"value": tau, "err": tau_err}, "thermo": thermo,
            "evidence": {"ageing": ageing, "stationary": stationary,
                         "equilibrated": bool(ageing["ok"] is not False
                                              and all(v["ok"] for v in stationary.values()))},
            "species": {"labels": list(scheme.labels), "steps": steps[on_grid], "C": conc, "other": other,
                        "c_liq": c_liq},
            "config": {"step": int(steps[on_grid][-1]), "positions": wrapped[-1], "box": boxes[on_grid][-1],
                       "types": types}}


def write_summary(job: Job, model, a: dict, plan: dict, wall: float) -> Path:
    """``fs.csv``, ``species.csv``, ``config.npz`` (the last sampled configuration: wrapped positions in
    σ as float32, types, box) then ``summary.json`` (last: it marks the point as done)."""
    out = Path(job.out)
    s, sp, cfg = job.settings, a["species"], a["config"]
    atomic_write(out / "fs.csv", lambda fh: a["fs"].write(fh))
    atomic_write(out / "config.npz", lambda fh: np.savez_compressed(
        fh, positions=cfg["positions"].astype(np.float32), box=cfg["box"], types=cfg["types"].astype(np.int8),
        step=cfg["step"]), binary=True)
    table = np.column_stack([sp["steps"], sp["steps"] * model.dt, sp["C"], sp["other"]])
    header = ",".join(["step", "time", *sp["labels"], "other"])
    atomic_write(out / "species.csv", lambda fh: np.savetxt(fh, table, delimiter=",", header=header,
                                                            fmt="%.10g", comments=""))
    c_mean, c_err = average_concentrations(sp["C"], 10)
    (liq,), (liq_err,) = average_concentrations(sp["c_liq"][:, None], 10)
    mean_err = lambda key: {"mean": float(a["thermo"][key][0][0]), "err": float(a["thermo"][key][1][0])}  # noqa: E731
    tau = a["tau_alpha"]["value"]
    t_prod = plan["target"] * model.dt
    summary = {
        "model": s.model, "T": job.T, "seed": job.seed, "n": model.n, "dim": model.dim,
        "ensemble": model.ensemble, "pressure": model.pressure, "dt": model.dt,
        "steps": {"melt": s.melt_steps, "equilibration": job.equil_steps, "production": plan["target"],
                  "block": plan["block"], "species_every": plan["species_every"],
                  "extensions": plan["extensions"], "thermo_every": s.thermo_every},
        "times": {"equilibration": job.equil_steps * model.dt, "production": t_prod,
                  "tau_estimate": estimate_tau(s.model, job.T),
                  "production_over_tau": t_prod / tau if tau > 0 else None},
        **{key: mean_err(key) for key in ("density", "U", "E", "K", "P")}, "T_kinetic": mean_err("T"),
        "k": a["fs"].k, "fs_particles": "large (type 1)" if DEFAULT_K[s.model][1] == 1 else "all",
        "tau_alpha": a["tau_alpha"],
        "species": {"labels": sp["labels"], "C": c_mean.tolist(), "C_err": c_err.tolist(),
                    "C_liquid": liq, "C_liquid_err": liq_err, "other": float(np.mean(sp["other"])),
                    "snapshots": int(sp["steps"].size)},
        "evidence": a["evidence"], "files": {"fs": "fs.csv", "species": "species.csv", "config": "config.npz"},
        "code": code_version(), "threads": job.threads, "wall_seconds_last_session": wall,
        "finished": _now(),
    }
    return atomic_write(job.summary_path, _json(summary))


def reanalyse(settings: Settings, out, workdir=None, log=print) -> list:
    """Recompute the summaries of finished state points from their scratch trajectories (no MD):
    after a change of the analysis (species scheme, F_s), without rerunning the simulations.
    A point is reanalysed when its production checkpoint has reached its final target; the others are
    left alone. Returns the temperatures reanalysed."""
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    out = Path(out)
    workdir = Path("runs") / settings.model if workdir is None else Path(workdir)
    done = []
    for T in settings.temperatures:
        job = plan_job(settings, T, out / point_name(T), workdir / point_name(T))
        prod = Path(job.work) / "prod"
        if not (prod / "checkpoint.npz").exists() or not (prod / "traj.gsd").exists():
            continue
        with _Lock(Path(job.work)):
            state, model, meta = _load(prod / "checkpoint.npz")
            plan = meta["extra"]
            if state.step < plan["target"]:
                continue
            wall = read_json(job.summary_path).get("wall_seconds_last_session", 0.0) \
                if job.summary_path.exists() else 0.0
            write_summary(job, model, analyse(job, model, state, prod, plan), plan, wall)
        done.append(T)
        log(f"{settings.model} T={T:g}: reanalysed")
    return done


# ----------------------------------------------------------------------------------------------------
# the campaign


def _die_with_parent() -> None:
    """Pool worker initializer: on Linux, get SIGTERM when the campaign process dies (best effort),
    so that a killed campaign leaves no orphaned job running."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _default_workers(workers, threads):
    cores = os.cpu_count() or 1
    if workers is None:
        workers = max(1, cores // (threads or 1))
    if threads is None:
        threads = max(1, cores // max(workers, 1))
    return workers, threads


def _make_executor(workers: int, scheduler: str | None):
    if scheduler is not None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise CampaignError("--scheduler needs the optional dependency dask.distributed "
                                "(pip install 'dask[distributed]')") from exc
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise CampaignError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from exc
        return client.get_executor(pure=False), client.close
    if workers == 0:
        return None, lambda: None
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_die_with_parent)
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def run_campaign(settings: Settings, out, workdir=None, *, workers: int | None = None,
                 threads: int | None = None, scheduler: str | None = None, step_budget: int | None = None,
                 command: str | None = None, log=print) -> dict:
    """Run every state point of ``settings`` into ``out`` (summaries + manifest); see the module doc.

    ``workers``: processes of the local pool (0 = run in this process); ``threads``: Numba threads per
    job (default: cores // workers); ``scheduler``: address of a Dask scheduler instead of the pool;
    ``step_budget``: at most this many MD steps per job in this call (for wall-time-limited
    allocations). Returns ``{"done", "skipped", "incomplete", "failed"}``, lists of temperatures; a
    failed state point (its error is in the manifest) does not stop the others.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    if step_budget is not None and (isinstance(step_budget, bool) or int(step_budget) < 0):
        raise ValueError(f"step_budget must be an integer >= 0, got {step_budget!r}")
    out = Path(out)
    workdir = Path("runs") / settings.model if workdir is None else Path(workdir)
    workers, threads = _default_workers(workers, threads)
    manifest_path = out / "manifest.json"
    record = asdict(settings)
    record["temperatures"] = list(settings.temperatures)

    def check_settings(old):
        # the ladder may grow (new temperatures are added); everything else must match
        changed = sorted(k for k in record if k != "temperatures" and old["settings"].get(k) != record[k])
        if changed:
            raise CampaignError(f"{manifest_path} was written with other settings (differ: {changed}); "
                                "use another --out or restore the original command")

    if manifest_path.exists():  # refuse before anything runs or is written
        check_settings(read_json(manifest_path, ("settings", "sessions", "state_points")))
    jobs = [plan_job(settings, T, out / point_name(T), workdir / point_name(T), threads, step_budget)
            for T in settings.temperatures]
    for job in jobs:  # a corrupt summary stops the campaign before anything runs
        if job.summary_path.exists():
            read_json(job.summary_path, SUMMARY_KEYS)
    model = get_model(settings.model, n=settings.n)
    executor, close = _make_executor(workers, scheduler)  # before writing: a bad --scheduler changes nothing
    session = {"command": command or shlex.join(sys.argv), "code": code_version(), "start": _now(),
               "end": None, "workers": workers, "threads": threads, "scheduler": scheduler,
               "pid": os.getpid()}
    meta = dict(code=session["code"], n=model.n, dim=model.dim, ensemble=model.ensemble,
                pressure=model.pressure, density=model.density if model.ensemble == "nvt" else None,
                dt=model.dt, tau_T=model.tau_T, tau_P=model.tau_P, bulk_modulus=model.bulk_modulus,
                skin=model.skin, k=settings.wave_number)

    def open_session(manifest):
        if manifest is None:
            manifest = {"model": settings.model, "settings": dict(record), "sessions": [], "state_points": {}}
        check_settings(manifest)
        temps = set(manifest["settings"]["temperatures"]) | set(settings.temperatures)
        manifest["settings"] = dict(record, temperatures=sorted(temps, reverse=True))
        manifest["sessions"].append(dict(session))
        manifest.update(meta)
        manifest.setdefault("start", session["start"])
        return manifest

    def ours(s):  # this call's session entry (start time, command and pid identify it)
        return all(s.get(k) == session[k] for k in ("start", "command", "pid"))

    update_manifest(manifest_path, open_session)

    def record_point(job, status, error=None):
        entry = {"seed": job.seed, "planned_steps": {"equilibration": job.equil_steps,
                                                     "production": job.prod_steps, "block": job.block},
                 "status": status, **({"error": error} if error else {})}
        if job.summary_path.exists():
            summ = read_json(job.summary_path, SUMMARY_KEYS)
            entry.update(status="done", steps=summ["steps"], tau_alpha=summ["tau_alpha"],
                         evidence=summ["evidence"], summary=str(job.summary_path.relative_to(out)),
                         finished=summ.get("finished"))

        def set_point(manifest):
            manifest["state_points"][point_name(job.T)] = entry

        update_manifest(manifest_path, set_point)

    report = {"done": [], "skipped": [], "incomplete": [], "failed": []}
    order = sorted(jobs, key=lambda j: -(j.equil_steps + j.prod_steps))  # longest first

    def outcome(job, call):
        # a failing state point (blow-up, corrupt checkpoint, ...) is recorded; the others go on
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - reported in the manifest and the return value
            return {"T": job.T, "status": "failed", "steps": 0, "error": f"{type(exc).__name__}: {exc}"}

    try:
        for job in jobs:
            record_point(job, "pending")
        if executor is None:
            pairs = ((job, outcome(job, lambda job=job: run_job(job))) for job in order)
        else:
            futures = {executor.submit(run_job, job): job for job in order}
            pairs = ((futures[f], outcome(futures[f], f.result)) for f in cf.as_completed(futures))
        for job, res in pairs:
            report[res["status"]].append(job.T)
            record_point(job, res["status"], res.get("error"))
            log(f"{settings.model} T={job.T:g}: {res['status']} ({res['steps']} steps)"
                + (f": {res['error']}" if "error" in res else ""))
    finally:
        close()
        end = _now()

        def close_session(manifest):
            for s in manifest["sessions"]:
                if ours(s):
                    s["end"] = end
            finished = all(e.get("status") == "done" for e in manifest["state_points"].values())
            manifest["end"] = end if finished else None

        update_manifest(manifest_path, close_session)
    return report


__all__ = ["DEFAULT_LADDERS", "TAU_ANCHORS", "DEFAULT_K", "Settings", "quick_settings", "estimate_tau",
           "atomic_write", "read_json", "update_manifest", "code_version", "point_name", "Job", "plan_job",
           "run_job", "analyse", "write_summary", "reanalyse", "run_campaign", "CampaignError"]
