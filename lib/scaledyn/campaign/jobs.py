r"""One state point, from lattice to summary: the job a campaign runs for each temperature.

1. **melt** a lattice at ``melt_T`` (``melt_steps``, not checkpointed: cheap and deterministic);
2. **equilibrate** for the planned length (:func:`~.settings.plan_job`) in the model's ensemble;
3. **produce**, writing frames log-spaced in blocks (many time origins for :math:`F_s(k,t)`,
   :func:`~scaledyn.md.run.log_schedule`) plus frames evenly spaced every ``species_every`` steps
   (quasi-species counts), and thermo rows;
4. **analyse** (:func:`analyse`): :math:`F_s(k,t)` (:func:`scaledyn.analysis.isf.self_isf`, origins at
   block starts), :math:`\tau_\alpha` at :math:`F_s = 1/e`; if the run is shorter than ``min_tau``
   measured :math:`\tau_\alpha` it is **extended** (same blocks) to :math:`n_\mathrm{prod}\tau_\alpha`,
   at most ``max_extensions`` times; then means and block errors of ρ, U, E, K, P, T; the
   quasi-species concentrations per snapshot (:mod:`scaledyn.analysis.species`); and the
   equilibration evidence: no ageing (τα of the two halves of production agree within
   :math:`3\sigma`) and stationarity (the halves' means of U, ρ, P agree within :math:`3\sigma`);
   the dynamics a reader of the field expects (:func:`dynamics`): the KWW fit of the α decay
   (:mod:`scaledyn.analysis.kww`), the MSD of the same particles over the same origins and D from
   its diffusive window after 2τα (:mod:`scaledyn.analysis.diffusion`); for the 2D models also the
   cage-relative F_s (same k), τα, MSD and D (:mod:`scaledyn.analysis.cage`, cutoff
   :data:`~.settings.CAGE_CUTOFF`), free of the long-wavelength fluctuations of two dimensions.
   The four-point susceptibility χ4(t) of the overlap (:func:`chi4_curve`, all particles), whose
   peak height counts the particles that relax together and whose peak time t* sits near τα.
   Errors of D and of the KWW parameters come from the same chunks of origins as that of τα; with
   the campaigns' few block origins and lags up to half the run, chunks overlap in time, so they
   are rough (see :mod:`scaledyn.analysis.time_origins`).

Outputs (:func:`write_summary`, atomic) in ``OUT/T<T:.4f>/``: ``fs.csv``, ``msd.csv``, ``chi4.csv`` (2D models:
also ``fs_cr.csv`` and ``msd_cr.csv``, cage-relative), ``species.csv``, ``config.npz``, then ``summary.json`` (last: its presence means *done*). Scratch (checkpoints,
thermo, GSD trajectories) goes to ``WORKDIR/T<T>/``. A job resumes from its last checkpoint,
bitwise-identically for the same ``threads`` (the parts the work is split into; auto mode keeps it
at its maximum whatever count it runs on); output written after that checkpoint is dropped first.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numba
import numpy as np

from ..analysis.cage import Cage
from ..analysis.diffusion import diffusion_constant, mean_squared_displacement
from ..analysis.isf import self_isf
from ..analysis.kww import fit_kww
from ..analysis.liquid_geometry import chi4, join_chi4
from ..analysis.species import trajectory_concentrations
from ..analysis.stats import block_average
from ..md._threads import ThreadChooser
from ..md.run import Checkpointer, log_schedule, simulate
from ..md.state import initial_state
from ..md.trajectory import CSVThermo, GSDWriter, read_unwrapped
from .settings import CAGE_CUTOFF, DEFAULT_K, SCHEMES, SUMMARY_KEYS, Job, Settings, plan_job, point_name
from .store import (CampaignError, PointLock, atomic_write, code_version, discard_temporaries, fresh_folder, load_point_checkpoint,
                    now, read_json, to_json, truncate_point)

__all__ = ["run_job", "analyse", "block_fs", "dynamics", "chi4_curve", "CHI4_OVERLAP", "CHI4_MAX_ORIGINS", "KWW_WINDOW", "D_AFTER_TAU", "D_TOLERANCE", "write_summary", "reanalyse", "halves_agree", "agree", "AGREEMENT_SIGMA"]


class _Budget:
    """Steps left to this call (``None``: unlimited) and the checkpoint period."""

    def __init__(self, steps, checkpoint_every, threads):
        self.left = math.inf if steps is None else int(steps)
        self.used = 0
        self.every = checkpoint_every
        self.threads = threads  # simulate's threads=: a count, or the job's ThreadChooser

    def advance(self, state, model, T, target, folder, observers, extra=None) -> bool:
        """Run towards step ``target`` within the budget, checkpoint; True if the target was reached."""
        n = int(min(target - state.step, self.left))
        ck = Path(folder) / "checkpoint.npz"
        simulate(state, model, steps=n, T=T, progress=False, threads=self.threads,
                 observers=[*observers, Checkpointer(ck, self.every, extra)])
        Checkpointer(ck, 1, extra)(state, model)
        self.left -= n
        self.used += n
        return state.step >= target


def run_job(job: Job) -> dict:
    """Run (or resume) one state point to its summary. Returns ``{"T", "status", "steps"}`` with
    status ``"done"``, ``"skipped"`` (summary already there) or ``"incomplete"`` (step budget spent)."""
    with PointLock(Path(job.work)):
        for folder in (job.summary_path.parent, Path(job.work) / "equil", Path(job.work) / "prod"):
            discard_temporaries(folder)  # orphaned by a kill; only this point's jobs write there
        if job.summary_path.exists():
            read_json(job.summary_path, SUMMARY_KEYS)
            return {"T": job.T, "status": "skipped", "steps": 0}
        threads = numba.get_num_threads()
        numba.set_num_threads(job.threads)
        try:
            return _run_job(job, ThreadChooser(job.threads) if job.auto_threads else job.threads)
        finally:
            numba.set_num_threads(threads)


def _run_job(job: Job, threads) -> dict:
    s, T = job.settings, job.T
    work = Path(job.work)
    eq, prod = work / "equil", work / "prod"
    budget = _Budget(job.step_budget, s.checkpoint_every, threads)
    result = lambda status: {"T": T, "status": status, "steps": budget.used}  # noqa: E731
    t0 = time.time()
    plan = {"target": job.prod_steps, "extensions": 0, "block": job.block, "species_every": job.species_every}
    state = None
    melted = 0
    if (prod / "checkpoint.npz").exists():
        state, model, meta = load_point_checkpoint(prod / "checkpoint.npz")
        plan = meta["extra"]
        truncate_point(prod, state.step)
    if state is None:
        if (eq / "checkpoint.npz").exists():
            state, model, _ = load_point_checkpoint(eq / "checkpoint.npz")
            truncate_point(eq, state.step)
        else:
            model = s.md_model()
            fresh_folder(eq)
            state = initial_state(model, T=s.melt_T, seed=job.seed)
            simulate(state, model, steps=s.melt_steps, T=s.melt_T, progress=False, threads=threads)
            melted = s.melt_steps
            state.step = 0
        equil_thermo = CSVThermo(eq / "thermo.csv", s.thermo_every)
        if not budget.advance(state, model, T, job.equil_steps, eq, [equil_thermo]):
            return result("incomplete")
        state.step = 0
        fresh_folder(prod)
    while True:
        target = plan["target"]
        frames = np.union1d(log_schedule(target, plan["block"]), np.arange(0, target + 1, plan["species_every"]))
        observers = [CSVThermo(prod / "thermo.csv", s.thermo_every),
                     GSDWriter(prod / "traj.gsd", steps=frames, mode="a")]
        if not budget.advance(state, model, T, target, prod, observers, plan):
            return result("incomplete")
        analysis = _analyse_on(threads, job, model, state, prod, plan)
        tau = analysis["tau_alpha"]["value"]
        t_prod = target * model.dt
        short = not math.isfinite(tau) or t_prod < s.min_tau * tau
        if not short or plan["extensions"] >= s.max_extensions:
            break
        want = s.prod_tau * tau / model.dt if math.isfinite(tau) else 2 * target
        plan["target"] = 2 * plan["block"] * int(math.ceil(max(want, 1.5 * target) / (2 * plan["block"])))
        plan["extensions"] += 1
        Checkpointer(prod / "checkpoint.npz", 1, plan)(state, model)
    used = threads.steps_by_threads if isinstance(threads, ThreadChooser) else {threads: budget.used + melted}
    write_summary(job, model, analysis, plan, time.time() - t0, used)
    return result("done")


def _analyse_on(threads, job, model, state, prod, plan) -> dict:
    # auto mode: the analysis's parallel kernels run on the thread count the MD last chose (one while
    # the other workers keep the cores busy: two threads there would wait at every barrier)
    if not isinstance(threads, ThreadChooser) or threads.choice is None:
        return analyse(job, model, state, prod, plan)
    before = numba.get_num_threads()
    numba.set_num_threads(threads.choice)
    try:
        return analyse(job, model, state, prod, plan)
    finally:
        numba.set_num_threads(before)


#: Two estimates "agree" when they differ by at most this many combined standard errors.
AGREEMENT_SIGMA = 3.0


def agree(a: float, a_err: float, b: float, b_err: float, n_sigma: float = AGREEMENT_SIGMA) -> bool | None:
    """True if |a − b| ≤ ``n_sigma``·√(σ_a² + σ_b²) (or a and b are equal to rounding); None if the
    combined error is not finite (no verdict)."""
    sig = math.hypot(a_err, b_err)
    if not math.isfinite(sig):
        return None
    return bool(abs(a - b) <= n_sigma * sig or abs(a - b) <= 1e-12 * max(abs(a), 1.0))


def halves_agree(a: np.ndarray, n_blocks: int = 5) -> dict:
    """Means of the two halves of a time series with block errors; ``ok`` if they agree within 3σ."""
    h1, h2 = np.array_split(np.asarray(a, float), 2)
    (m1,), (e1,) = block_average(h1[:, None], n_blocks)
    (m2,), (e2,) = block_average(h2[:, None], n_blocks)
    return {"first": m1, "first_err": e1, "second": m2, "second_err": e2,
            "ok": bool(agree(m1, e1, m2, e2))}


def _curve(correlation, steps, pos, dt, block, select, upto=None, **kwargs):
    """``correlation`` (self_isf or mean_squared_displacement) of the frames up to step ``upto``, with
    the block starts as origins and lags up to half the run."""
    keep = steps <= (steps[-1] if upto is None else upto)
    st, x = steps[keep], pos[keep]
    lo = st[0]
    origins = np.flatnonzero((st - lo) % block == 0)
    return correlation((st - lo) * dt, x, select=select, origins=origins, max_lag=0.5 * (st[-1] - lo) * dt,
                       **kwargs)


def block_fs(steps, pos, dt, block, k, select, upto=None):
    """F_s(k,t) of the frames at ``steps`` (up to step ``upto``) as the campaign measures it: the block
    starts as time origins, lags up to half the run, particles ``select`` (None: all). Shared with
    :mod:`.thermostat`, whose NVE rerun must be measured the same way."""
    return _curve(self_isf, steps, pos, dt, block, select, upto, k=k)


def _number(x):
    """A float for the summary, None for NaN (JSON null: comparable, and read back as NaN)."""
    return float(x) if math.isfinite(x) else None


#: Windows of the dynamics fits: KWW on ``lower < F_s < upper``; D on lags t ≥ ``D_AFTER_TAU``·τα where
#: the MSD's local exponent is within ``D_TOLERANCE`` of 1.
KWW_WINDOW = {"lower": 0.05, "upper": 0.6}
D_AFTER_TAU, D_TOLERANCE = 2.0, 0.1


def dynamics(fs, msd, tau: float) -> dict:
    """Summary entries ``kww`` (fit of ``fs``, an ISFResult, errors from its chunks) and ``diffusion``
    (D from ``msd`` after ``D_AFTER_TAU``·``tau``); null for what could not be fitted, with a ``reason``."""
    k = fit_kww(fs.t, fs.fs, chunks=fs.fs_chunks, **KWW_WINDOW)
    kww = {key: _number(getattr(k, key)) for key in ("beta", "beta_err", "tau_K", "tau_K_err", "A", "A_err",
                                                     "t_min", "t_max")}
    kww.update(window=f"{KWW_WINDOW['lower']} < F_s < {KWW_WINDOW['upper']}", reason=k.reason)
    window = f"t >= {D_AFTER_TAU:g} tau_alpha, |dln MSD/dln t - 1| <= {D_TOLERANCE:g}"
    if not (math.isfinite(tau) and tau > 0):
        return {"kww": kww, "diffusion": {"D": None, "D_err": None, "t_min": None, "t_max": None, "n_points": 0,
                                          "window": window, "reason": "no tau_alpha: F_s never fell to 1/e"}}
    d = diffusion_constant(msd, tau_alpha=tau, after_tau=D_AFTER_TAU, tolerance=D_TOLERANCE)
    diffusion = {key: _number(getattr(d, key)) for key in ("D", "D_err", "t_min", "t_max")}
    diffusion.update(n_points=d.n_points, window=window, reason=d.reason)
    return {"kww": kww, "diffusion": diffusion}


#: Overlap radius a (σ) of χ4: the value :func:`~scaledyn.analysis.liquid_geometry.chi4` documents,
#: about the cage size (a particle still inside its cage counts as not relaxed).
CHI4_OVERLAP = 0.3
#: At most this many evenly spaced time origins for the long-lag part of χ4 (keeps the reanalysis cheap:
#: the production runs sample ~100 even frames, so this subsamples only longer runs).
CHI4_MAX_ORIGINS = 100


def chi4_curve(steps, pos, dt: float, block: int, every: int, a: float = CHI4_OVERLAP):
    r"""χ4(t) of a production trajectory (:func:`~scaledyn.analysis.liquid_geometry.chi4`, all
    particles, overlap radius ``a`` in σ), from two sets of frames joined at the lag ``every``·dt
    (:func:`~scaledyn.analysis.liquid_geometry.join_chi4`):

    * lags below ``every``·dt from the log-spaced frames of each block (``steps`` on
      :func:`~scaledyn.md.run.log_schedule` with period ``block``), origins at the block starts;
    * lags that are multiples of ``every``·dt, up to half the run, from the evenly spaced frames
      (``steps % every == 0``), at most :data:`CHI4_MAX_ORIGINS` of them as origins.

    Why two: χ4 = N[⟨Q²⟩ − ⟨Q⟩²] is a variance over origins, so its peak (near τα) needs the ~100 even
    origins; the block starts alone (~10) would leave its height uncertain by ~50 %. ``steps``
    (n_frames,) increasing, ``pos`` unwrapped (n_frames, N, d) in σ, ``dt`` in τ."""
    steps = np.asarray(steps, np.int64)
    if not (block > 0 and every > 0):
        raise ValueError(f"block and every must be positive, got {block} and {every}")
    lo, total = steps[0], steps[-1] - steps[0]
    rel = steps - lo
    in_log = np.isin(rel, log_schedule(total, block))
    ls, lp = rel[in_log], pos[in_log]
    starts = np.flatnonzero((ls % block == 0) & (ls < ls[-1]))
    short = chi4(ls * dt, lp, a=a, origins=starts, max_lag=every * dt * (1 - 1e-9))
    even = rel % every == 0
    gs, gp = rel[even], pos[even]
    usable = np.flatnonzero(gs <= gs[-1] - every)
    origins = usable[np.unique(np.linspace(0, usable.size - 1, min(CHI4_MAX_ORIGINS, usable.size)).astype(int))]
    long = chi4(gs * dt, gp, a=a, origins=origins, max_lag=0.5 * total * dt)
    return join_chi4(short, long)


def analyse(job: Job, model, state, prod: Path, plan: dict) -> dict:
    """F_s(k,t), τα (whole run and halves), the MSD, KWW and D (:func:`dynamics`), the cage-relative
    versions for 2D models, thermo means and errors, species per snapshot."""
    s = job.settings
    dt, block, target = model.dt, plan["block"], plan["target"]
    steps, pos, boxes = read_unwrapped(prod / "traj.gsd")
    types = state.by_tag(state.types)
    k = s.wave_number
    sel_type = DEFAULT_K[s.model][1]
    select = None if sel_type is None else types == sel_type
    in_log = np.isin(steps, log_schedule(target, block))
    ls, lp = steps[in_log], pos[in_log]
    fs = block_fs(ls, lp, dt, block, k, select)
    half = target // 2
    halves = [block_fs(ls, lp, dt, block, k, select, upto=half), block_fs(ls[ls >= half], lp[ls >= half], dt, block, k, select)]
    taus = [h.tau_alpha() for h in halves]
    (t1, e1), (t2, e2) = taus
    ageing = {"tau_first": t1, "tau_first_err": e1, "tau_second": t2, "tau_second_err": e2,
              "ok": agree(t1, e1, t2, e2)}
    rows = np.genfromtxt(prod / "thermo.csv", delimiter=",", names=True)
    thermo = {key: block_average(rows[key][:, None], 10) for key in ("density", "U", "E", "K", "P", "T")}
    stationary = {key: halves_agree(rows[key]) for key in ("U", "density", "P")}
    on_grid = steps % plan["species_every"] == 0
    scheme = SCHEMES[s.model]()
    wrapped = pos[on_grid] - np.floor(pos[on_grid] / boxes[on_grid][:, None, :]) * boxes[on_grid][:, None, :]
    conc, other = trajectory_concentrations(wrapped, boxes[on_grid], types if model.ntypes > 1 else None, scheme)
    c_liq = conc[:, scheme.liquid].sum(axis=1)
    tau, tau_err = fs.tau_alpha()
    msd = _curve(mean_squared_displacement, ls, lp, dt, block, select)
    cage = None
    if model.dim == 2 and s.model in CAGE_CUTOFF:
        cage_def = Cage(boxes[0], CAGE_CUTOFF[s.model])
        fs_cr = _curve(self_isf, ls, lp, dt, block, select, k=k, cage=cage_def)
        msd_cr = _curve(mean_squared_displacement, ls, lp, dt, block, select, cage=cage_def)
        tau_cr, tau_cr_err = fs_cr.tau_alpha()
        cage = {"cutoff": cage_def.cutoff, "fs": fs_cr, "msd": msd_cr,
                "tau_alpha": {"value": _number(tau_cr), "err": _number(tau_cr_err)},
                **dynamics(fs_cr, msd_cr, tau_cr)}
    x4 = chi4_curve(steps, pos, dt, block, plan["species_every"])
    return {"fs": fs, "tau_alpha": {"value": tau, "err": tau_err}, "thermo": thermo, "msd": msd, "chi4": x4,
            **dynamics(fs, msd, tau), "cage_relative": cage,
            "evidence": {"ageing": ageing, "stationary": stationary,
                         "equilibrated": bool(ageing["ok"] is not False
                                              and all(v["ok"] for v in stationary.values()))},
            "species": {"labels": list(scheme.labels), "steps": steps[on_grid], "C": conc, "other": other,
                        "c_liq": c_liq},
            "config": {"step": int(steps[on_grid][-1]), "positions": wrapped[-1], "box": boxes[on_grid][-1],
                       "types": types}}


def _chi4_entry(x4, grid: float) -> dict:
    """The summary's ``chi4`` entry: peak time and height with the error of the height."""
    return {"a": x4.a, "particles": "all", "t_peak": x4.t_peak, "chi4_peak": _number(x4.chi4_peak),
            "chi4_peak_err": _number(x4.chi4_peak_err), "even_grid": grid,
            "note": "lags below even_grid from block-start origins, above it from evenly spaced origins"}


def write_summary(job: Job, model, a: dict, plan: dict, wall: float, steps_by_threads: dict | None = None) -> Path:
    """``fs.csv``, ``msd.csv`` (2D: ``fs_cr.csv``, ``msd_cr.csv``), ``species.csv``, ``config.npz`` (the
    last sampled configuration: wrapped positions in σ as float32, types, box), ``chi4.csv`` then
    ``summary.json`` (last: it marks the point as done). Summary entries ``kww``, ``diffusion``,
    ``chi4`` (``t_peak``, ``chi4_peak``, ``chi4_peak_err``, ``a``) and, for 2D models,
    ``cage_relative`` (``cutoff``, ``tau_alpha``, ``kww``, ``diffusion``; null otherwise) hold the
    dynamics (:func:`dynamics`); a number that could not be fitted is null, with a ``reason``.
    ``steps_by_threads``: MD steps of the last session per thread count (null when unknown)."""
    out = Path(job.out)
    s, sp, cfg = job.settings, a["species"], a["config"]
    atomic_write(out / "fs.csv", lambda fh: a["fs"].write(fh))
    atomic_write(out / "msd.csv", lambda fh: a["msd"].write(fh))
    atomic_write(out / "chi4.csv", lambda fh: a["chi4"].write(fh))
    files = {"fs": "fs.csv", "msd": "msd.csv", "chi4": "chi4.csv", "species": "species.csv", "config": "config.npz"}
    cage = a["cage_relative"]
    if cage is not None:
        atomic_write(out / "fs_cr.csv", lambda fh: cage["fs"].write(fh))
        atomic_write(out / "msd_cr.csv", lambda fh: cage["msd"].write(fh))
        files.update(fs_cr="fs_cr.csv", msd_cr="msd_cr.csv")
        cage = {key: value for key, value in cage.items() if key not in ("fs", "msd")}
    atomic_write(out / "config.npz", lambda fh: np.savez_compressed(
        fh, positions=cfg["positions"].astype(np.float32), box=cfg["box"], types=cfg["types"].astype(np.int8),
        step=cfg["step"]), binary=True)
    table = np.column_stack([sp["steps"], sp["steps"] * model.dt, sp["C"], sp["other"]])
    header = ",".join(["step", "time", *sp["labels"], "other"])
    atomic_write(out / "species.csv", lambda fh: np.savetxt(fh, table, delimiter=",", header=header,
                                                            fmt="%.10g", comments=""))
    c_mean, c_err = block_average(sp["C"], 10)
    (liq,), (liq_err,) = block_average(sp["c_liq"][:, None], 10)
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
                  "tau_estimate": s.tau_estimate(job.T),
                  "production_over_tau": t_prod / tau if tau > 0 else None},
        **{key: mean_err(key) for key in ("density", "U", "E", "K", "P")}, "T_kinetic": mean_err("T"),
        "k": a["fs"].k, "fs_particles": "large (type 1)" if DEFAULT_K[s.model][1] == 1 else "all",
        "tau_alpha": a["tau_alpha"], "kww": a["kww"], "diffusion": a["diffusion"], "cage_relative": cage,
        "chi4": _chi4_entry(a["chi4"], plan["species_every"] * model.dt),
        "species": {"labels": sp["labels"], "C": c_mean.tolist(), "C_err": c_err.tolist(),
                    "C_liquid": liq, "C_liquid_err": liq_err, "other": float(np.mean(sp["other"])),
                    "snapshots": int(sp["steps"].size)},
        "evidence": a["evidence"], "files": files,
        "code": code_version(), "threads": job.threads, "thread_choice": "auto" if job.auto_threads else "fixed",
        "steps_by_threads_last_session": (None if steps_by_threads is None
                                          else {str(k): v for k, v in steps_by_threads.items()}), "wall_seconds_last_session": wall,
        "finished": now(),
    }
    return atomic_write(job.summary_path, to_json(summary))


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
        with PointLock(Path(job.work)):
            state, model, meta = load_point_checkpoint(prod / "checkpoint.npz")
            plan = meta["extra"]
            if state.step < plan["target"]:
                continue
            old = read_json(job.summary_path) if job.summary_path.exists() else {}
            wall = old.get("wall_seconds_last_session", 0.0)
            try:
                analysis = analyse(job, model, state, prod, plan)
            except (OSError, ValueError) as exc:  # damaged scratch output
                raise CampaignError(f"cannot reanalyse T = {T:g}: {exc}") from exc
            write_summary(job, model, analysis, plan, wall, old.get("steps_by_threads_last_session"))
        done.append(T)
        log(f"{settings.model} T={T:g}: reanalysed")
    return done
