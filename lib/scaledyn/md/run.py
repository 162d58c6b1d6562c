r"""The simulation driver: :func:`simulate`, observers, the scheduler and the blow-up error.

:func:`simulate` advances a :class:`~.state.State` with the Numba loop of :mod:`.integrators` in
chunks that end exactly at the steps where some observer wants to look (an atooms-style scheduler);
chunking never changes the trajectory. Observers are small objects with ``next_step(after)`` (the
first step ``>= after`` they want) and ``__call__(state, model)``. Provided here: :class:`ThermoLog`
(energy, temperature, pressure, density), :class:`PositionSampler` (copies of unwrapped or wrapped
positions) and :class:`Checkpointer`; :class:`~.trajectory.GSDWriter` writes trajectory frames.

A run that blows up (NaN, overlapping particles, collapsing box) raises :class:`SimulationError`
naming the step.
"""

import sys
import time
from collections.abc import Iterable

import numba
import numpy as np

from .._checks import int_scalar, real_scalar
from . import integrators as it
from ._threads import ThreadChooser
from .models import Model
from .state import State, dims_of, save_checkpoint, thermo


class SimulationError(RuntimeError):
    """The run blew up; ``step`` is the step at which it was detected, ``reason`` says how."""

    def __init__(self, message: str, step: int, reason: str):
        super().__init__(message)
        self.step = step
        self.reason = reason


class Schedule:
    """Steps at which an observer fires: every ``every`` steps, or at the explicit sorted ``steps``."""

    def __init__(self, every: int | None = None, steps: Iterable[int] | None = None):
        if (every is None) == (steps is None):
            raise ValueError("give exactly one of every= or steps=")
        if every is not None:
            self.every, self.steps = int_scalar(every, "every"), None
        else:
            s = np.unique(np.asarray(list(steps), dtype=np.int64))
            if s.size and s[0] < 0:
                raise ValueError("steps must be >= 0")
            self.every, self.steps = None, s

    def next_step(self, after: int) -> int | None:
        """Smallest scheduled step ``>= after`` (None if there is none)."""
        if self.every is not None:
            return -(-after // self.every) * self.every
        k = np.searchsorted(self.steps, after)
        return int(self.steps[k]) if k < self.steps.size else None


def log_schedule(total: int, block: int, base: float = 1.3, first: int = 1) -> np.ndarray:
    """Log-spaced steps repeated in blocks of length ``block`` (many time origins for F_s(k,t)).

    Within each block the offsets are 0 and ``first * base**k`` (rounded, unique) below ``block``;
    blocks start at 0, block, 2*block, ... up to ``total``.
    """
    if block <= 0 or total <= 0 or base <= 1.0:
        raise ValueError("need total > 0, block > 0 and base > 1")
    offs = [0]
    x = float(first)
    while x < block:
        offs.append(int(round(x)))
        x *= base
    offs = np.unique(offs)
    starts = np.arange(0, total + 1, block)
    steps = (starts[:, None] + offs[None, :]).ravel()
    return np.unique(steps[steps <= total])


class Observer:
    """Base class: subclasses implement ``__call__(state, model)``; scheduling via :class:`Schedule`."""

    def __init__(self, every: int | None = None, steps: Iterable[int] | None = None):
        self.schedule = Schedule(every, steps)

    def next_step(self, after: int) -> int | None:
        return self.schedule.next_step(after)

    def __call__(self, state: State, model: Model) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ThermoLog(Observer):
    """Records :func:`~.state.thermo` (step, time, T, K, U, E per particle, P, density, volume)."""

    def __init__(self, every: int | None = None, steps: Iterable[int] | None = None):
        super().__init__(every, steps)
        self.rows: list[dict] = []

    def __call__(self, state, model):
        self.rows.append(thermo(state, model))

    def __getitem__(self, key: str) -> np.ndarray:
        return np.array([r[key] for r in self.rows])


class PositionSampler(Observer):
    """Keeps copies of positions (unwrapped by default; particle-id order) and the box."""

    def __init__(self, every=None, steps=None, unwrapped: bool = True):
        super().__init__(every, steps)
        self.unwrapped = unwrapped
        self.steps: list[int] = []
        self.positions: list[np.ndarray] = []
        self.boxes: list[np.ndarray] = []

    def __call__(self, state, model):
        self.steps.append(state.step)
        self.positions.append(state.unwrapped() if self.unwrapped else state.by_tag(state.pos))
        self.boxes.append(state.box.copy())


class Checkpointer(Observer):
    """Writes an atomic checkpoint to ``path`` every ``every`` steps (``extra`` is stored with it)."""

    def __init__(self, path, every: int, extra: dict | None = None):
        super().__init__(every=every)
        self.path = path
        self.extra = extra

    def __call__(self, state, model):
        save_checkpoint(self.path, state, model, self.extra)


def _progress_bar(enabled, total):
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="step", smoothing=0.1)


def _check_target(name, value):
    if value is None:
        raise ValueError(f"{name} must be given for this ensemble")
    return real_scalar(value, name, positive=True)


def simulate(state: State, model: Model, *, steps: int, ensemble: str | None = None,
             T: float | None = None, pressure: float | None = None, observers: Iterable[Observer] = (),
             progress: bool | None = None, max_chunk: int = 10_000,
             threads: "int | str | ThreadChooser | None" = None) -> State:
    """Advance ``state`` (in place) by ``steps`` steps of ``model``'s dynamics and return it.

    ``ensemble``: ``"nve"``, ``"nvt"`` (Berendsen thermostat at ``T``) or ``"npt"`` (plus Berendsen
    barostat at ``pressure``, default ``model.pressure``); default ``model.ensemble``. Observers fire
    at their scheduled steps in ``(start, start + steps]``, and at ``start`` itself when it is 0.
    ``progress``: tqdm bar (default: only when stderr is a terminal).

    ``threads``: Numba threads for this call only. An integer fixes the count. ``None`` or
    ``"auto"`` (the default) lets a :class:`~._threads.ThreadChooser` pick, from timed probes, the
    fastest count up to Numba's current setting ``numba.get_num_threads()`` and re-check it as the
    run goes on (one chooser per particle number for the whole process, so later calls start from
    what earlier ones learnt) (two threads are fastest on a quiet machine, one when other processes compete for
    the cores: ``benchmarks/README.md``); pass a ``ThreadChooser`` to tune it or read what it chose
    (``steps_by_threads``). Auto mode splits the work between ``numba.get_num_threads()`` parts
    whatever the number of threads running them, so its trajectory is bitwise that of
    ``threads=numba.get_num_threads()``. Raises SimulationError naming the step if the run blows up.
    """
    if not isinstance(state, State):
        raise TypeError(f"state must be a scaledyn.md State, got {type(state).__name__}")
    if not isinstance(model, Model):
        raise TypeError(f"model must be a scaledyn.md Model, got {type(model).__name__}")
    if state.n != model.n or state.dim != model.dim:
        raise ValueError(f"state has N={state.n}, d={state.dim} but model {model.name} has N={model.n}, d={model.dim}")
    steps = int_scalar(steps, "steps", minimum=0)
    max_chunk = int_scalar(max_chunk, "max_chunk")  # 0 would loop forever
    ensemble = model.ensemble if ensemble is None else ensemble
    if ensemble not in it.ENSEMBLE_CODES:
        raise ValueError(f"ensemble must be one of {tuple(it.ENSEMBLE_CODES)}, got {ensemble!r}")
    code = it.ENSEMBLE_CODES[ensemble]
    T0 = _check_target("T", T) if code != it.NVE else 1.0
    if code == it.NPT:
        P0 = _check_target("pressure", model.pressure if pressure is None else pressure)
    else:
        P0 = 0.0
    observers = list(observers)
    for ob in observers:
        if not (hasattr(ob, "next_step") and callable(ob)):
            raise TypeError(f"observer {ob!r} needs next_step(after) and __call__(state, model)")
    start, end = state.step, state.step + int(steps)
    if start == 0:
        for ob in observers:
            if ob.next_step(0) == 0:
                ob(state, model)
    chooser = _thread_chooser(threads, state.n)
    parts = chooser.max_threads if chooser is not None else int(threads)
    bar = _progress_bar(progress, steps)
    masses = np.asarray(model.masses, dtype=np.float64)
    dims = dims_of(state.dim)
    overlap2 = model.overlap_distance**2
    threads_before = numba.get_num_threads()
    # observers (checkpoints record the thread count) see the number of parts the work is split into
    numba.set_num_threads(parts)
    try:
        while state.step < end:
            nexts = [s for s in (ob.next_step(state.step + 1) for ob in observers) if s is not None]
            target = min([end, state.step + max_chunk] + nexts)
            if chooser is None:
                _advance(state, model, dims, masses, target - state.step, code, T0, P0, overlap2, parts)
            else:
                _advance_auto(chooser, state, model, dims, masses, target, code, T0, P0, overlap2)
            if bar is not None:
                bar.update(target - bar.n - start)
            for ob in observers:
                if ob.next_step(state.step) == state.step:
                    ob(state, model)
    finally:
        numba.set_num_threads(threads_before)
        if bar is not None:
            bar.close()
    return state


#: auto mode's choosers, by (particles, maximal threads)
_CHOOSERS: dict[tuple[int, int], ThreadChooser] = {}


def _thread_chooser(threads, n_particles):
    """The ThreadChooser of auto mode (None for a fixed count); validates ``threads``."""
    if isinstance(threads, ThreadChooser):
        chooser = threads
    elif threads is None or threads == "auto":
        # one chooser per system size and thread maximum for the whole process: what it learnt
        # about the machine carries over to the next call (many short calls in a notebook or a
        # benchmark would otherwise probe from scratch each time)
        key = (n_particles, numba.get_num_threads())
        chooser = _CHOOSERS.get(key)
        if chooser is None:
            chooser = _CHOOSERS[key] = ThreadChooser(key[1])
    elif isinstance(threads, str):
        raise ValueError(f"threads must be a positive integer, 'auto' or None, got {threads!r}")
    else:
        n = int_scalar(threads, "threads")
        if n > numba.config.NUMBA_NUM_THREADS:
            raise ValueError(f"threads must be an integer in [1, {numba.config.NUMBA_NUM_THREADS}], got {threads!r}")
        return None
    if chooser.max_threads > numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"the ThreadChooser's max_threads {chooser.max_threads} exceeds "
                         f"NUMBA_NUM_THREADS = {numba.config.NUMBA_NUM_THREADS}")
    return chooser


def _advance_auto(chooser, state, model, dims, masses, target, code, T0, P0, overlap2):
    # steps up to ``target`` in stretches the chooser asks for, each timed and reported; the kernels
    # always split the work into chooser.max_threads parts, so the count changes only the speed
    parts = chooser.max_threads
    while state.step < target:
        nt, most = chooser.next()
        n = min(most, target - state.step)
        numba.set_num_threads(nt)
        t0 = time.perf_counter()
        try:
            _advance(state, model, dims, masses, n, code, T0, P0, overlap2, parts)
        finally:
            numba.set_num_threads(parts)
        chooser.record(nt, n, time.perf_counter() - t0)


def _advance(state, model, dims, masses, nsteps, code, T0, P0, overlap2, parts):
    # ``parts``: how many owner ranges the kernels split the particles into (their ``nt``); the
    # arithmetic depends on it, not on the number of threads that execute the parts
    nl = state.nl
    resume = False
    while nsteps > 0:
        atoms = it.Particles(state.pos, state.vel, state.force, state.types, state.tag, state.image, state.box,
                             masses)
        verlet = it.Verlet(nl.lists, nl.ref_pos, nl.ref_box, nl.cut2, nl.skin, nl.rc_max)
        ctl = it.Controls(int(nsteps), float(model.dt), int(code), float(T0), float(model.tau_T), float(P0),
                          float(model.tau_P), float(model.bulk_modulus), float(overlap2), bool(resume))
        status, done, u, w, _, builds, need = it.run_steps(dims, parts, model.params, atoms,
                                                           verlet, ctl, state.potential_energy, state.virial)
        nl.builds += builds
        state.step += done
        nsteps -= done
        if status == it.OVERFLOW:
            # grow the list (never silently truncate) and redo the force part of this step
            nl.grow(need)
            resume = True
            continue
        state.potential_energy, state.virial = float(u), float(w)
        if status != it.OK:
            bad = state.step + 1
            raise SimulationError(f"simulation of {model.name} blew up at step {bad}: "
                                  f"{it.STATUS_TEXT[status]} (U={u:.6g}, box={state.box.tolist()})",
                                  bad, it.STATUS_TEXT[status])
        resume = False


def threads() -> int:
    """Number of Numba threads the kernels will use."""
    return numba.get_num_threads()
