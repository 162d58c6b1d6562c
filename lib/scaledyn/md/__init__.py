r"""``scaledyn.md`` — a small Numba molecular-dynamics engine for the two glass formers of the
quasi-species paper (Boue, Lerner, Procaccia & Zylberg, arXiv:0905.3962).

Reduced units: energy :math:`\varepsilon`, length :math:`\sigma`, mass :math:`m`, time
:math:`\tau=\sigma\sqrt{m/\varepsilon}`, :math:`k_B=1`.

Public API (everything a chapter needs)::

    from scaledyn import md
    model = md.binary3d(n=4096)              # or md.hump2d(n=4096); md.get_model("binary3d")
    state = md.initial_state(model, T=2.0, seed=1)
    log = md.ThermoLog(every=100)
    md.simulate(state, model, steps=10_000, T=1.0, observers=[log])   # ensemble defaults to model's
    log["P"], log["T"], log["U"], state.unwrapped()

* models: :func:`binary3d`, :func:`hump2d`, :func:`get_model`, :class:`Model`
* state: :func:`initial_state`, :class:`State`, :func:`thermo`, :func:`save_checkpoint`,
  :func:`load_checkpoint`, :class:`CheckpointError`
* running: :func:`simulate` (thread count chosen by :class:`ThreadChooser` unless given), :class:`SimulationError`, observers :class:`ThermoLog`,
  :class:`PositionSampler`, :class:`Checkpointer`, :class:`GSDWriter`, :func:`log_schedule`,
  :func:`read_unwrapped`
* the engine imports nothing from :mod:`scaledyn.analysis` (bond order, F_s, species) or
  :mod:`scaledyn.campaign` (temperature ladders); those layers build on it
* command line: ``python -m scaledyn.md run --model binary3d --T 1.0 --steps 100000 --out DIR``

Modules: :mod:`.potentials` (pair potentials), :mod:`.forces` (the force kernel), :mod:`.neighbour_list` (cell + Verlet
lists), :mod:`.integrators` (velocity Verlet, Berendsen), :mod:`.state`, :mod:`.run`,
:mod:`.models`, :mod:`.trajectory`, :mod:`.reference` (slow NumPy references), :mod:`.lattices`
(ideal triangular and fcc lattices),
:mod:`.lammps_peer` (the same configurations through LAMMPS, for tests and benchmarks).

Threads: under the OpenMP threading layer when available. :func:`simulate` chooses the thread count
itself unless given one (auto mode, :class:`ThreadChooser`: timed probes of 1 up to
``numba.get_num_threads()`` threads, re-checked during the run, because two threads collapse when
other processes share the cores). A run is bitwise reproducible — and a checkpoint restart bitwise
identical — for a given number of work *parts*: ``threads=k`` splits the work into k parts; auto mode
always into ``numba.get_num_threads()`` parts (set it with ``numba.set_num_threads`` or
``NUMBA_NUM_THREADS``), whatever count it picks, so an auto run is bitwise the run with
``threads=numba.get_num_threads()``.
"""

from . import _threads  # noqa: F401  (select the OpenMP threading layer before any kernel runs)
from ._threads import ThreadChooser
from .models import Model, binary3d, get_model, hump2d
from .run import (Checkpointer, Observer, PositionSampler, Schedule, SimulationError, ThermoLog,
                  log_schedule, simulate)
from .state import (CheckpointError, State, compute_forces, initial_state, load_checkpoint,
                    save_checkpoint, thermo)
from .trajectory import GSDWriter, read_unwrapped

__all__ = [
    "Model", "binary3d", "hump2d", "get_model",
    "State", "initial_state", "thermo", "compute_forces", "save_checkpoint", "load_checkpoint",
    "CheckpointError",
    "simulate", "SimulationError", "Observer", "Schedule", "ThermoLog", "PositionSampler",
    "Checkpointer", "GSDWriter", "read_unwrapped", "log_schedule", "ThreadChooser",
]
