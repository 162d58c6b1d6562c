r"""What defines a campaign: the ladder of temperatures, the state point, run lengths, and the plan
of each state-point job (see :mod:`scaledyn.campaign` for the whole pipeline).

Run lengths are set in units of an *estimated* τα (:func:`estimate_tau`, ln τα interpolated in 1/T
between measured anchors): equilibration :math:`\max(n_\mathrm{eq}\tau_\mathrm{est}, t_\mathrm{eq,min})`,
production :math:`\max(n_\mathrm{prod}\tau_\mathrm{est}, t_\mathrm{prod,min})`, log-sampling blocks
:math:`n_\mathrm{block}\tau_\mathrm{est}`. Units: reduced (ε, σ, m, τ = σ√(m/ε), k_B = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import int_scalar, real_scalar
from ..analysis.species import HUMP_CUTOFF, binary3d_scheme, hump2d_scheme
from ..md.models import MODEL_NAMES, get_model

__all__ = ["DEFAULT_LADDERS", "TAU_ANCHORS", "DEFAULT_K", "CAGE_CUTOFF", "SCHEMES", "SUMMARY_KEYS", "Settings",
           "quick_settings", "estimate_tau", "point_name", "Job", "plan_job"]

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
#: Neighbour cutoff (σ) of the cage for the cage-relative F_s and MSD of the 2D models
#: (:mod:`scaledyn.analysis.cage`): the first minimum of g(r). hump2d: the hump position
#: r_hump = 1.32 σ of Table I (also the quasi-species cutoff); g(r) of our configurations at ρ = 0.8
#: has its first minimum at 1.32–1.36 σ for T = 0.12–0.5.
CAGE_CUTOFF = {"hump2d": HUMP_CUTOFF}
#: Species recorded per snapshot: the whole neighbour-count histogram (the paper's species are a subset;
#: at p = 10 our binary mixture has more neighbours than the paper's ranges, see chapter 6).
SCHEMES = {"binary3d": lambda: binary3d_scheme(small=(0, 18), large=(0, 24)),
           "hump2d": lambda: hump2d_scheme(counts=(0, 10))}
#: Keys every ``summary.json`` must hold (a summary without them is corrupt).
SUMMARY_KEYS = ("model", "T", "seed", "n", "steps", "density", "U", "E", "P", "k", "tau_alpha",
                "species", "evidence")


@dataclass(frozen=True)
class Settings:
    """Everything that defines a campaign's results (recorded in, and checked against, the manifest).

    Lengths: ``equil_tau``/``prod_tau``/``block_tau`` in units of the estimated τα, with floors
    ``min_equil_time``/``min_prod_time`` in τ; ``min_tau``: production must cover this many
    *measured* τα or it is extended (``max_extensions`` times at most). ``species_frames``: evenly
    spaced snapshots in the first production length. ``k`` in σ⁻¹ (default :data:`DEFAULT_K`).
    ``seed``: the state point at T uses ``seed + round(10⁴ T)`` (independent of the ladder); an
    independent *replica* of a ladder is the same settings with another ``seed`` and ``--out``.
    ``density`` (hump2d, NVT) and ``pressure`` (binary3d, NPT) replace the model's default state
    (None: the default, ρ = 0.8 and p = 10). ``tau_anchors``: measured (T, τα) pairs for
    :func:`estimate_tau` at this state (None: :data:`TAU_ANCHORS`, measured at the default state).
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
    density: float | None = None
    pressure: float | None = None
    tau_anchors: tuple | None = None

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
            real_scalar(getattr(self, name), name, positive=True)
        for name, lo in (("n", 1), ("melt_steps", 0), ("max_extensions", 0), ("species_frames", 2),
                         ("thermo_every", 1), ("checkpoint_every", 1)):
            int_scalar(getattr(self, name), name, minimum=lo)
        for name in ("k", "density", "pressure"):
            v = getattr(self, name)
            if v is not None:
                real_scalar(v, name, positive=True)
        if self.tau_anchors is not None:
            object.__setattr__(self, "tau_anchors", _anchors(self.tau_anchors))
        self.md_model()  # rejects an n too small for the box, a density for an NPT model, ...

    @property
    def wave_number(self) -> float:
        return DEFAULT_K[self.model][0] if self.k is None else float(self.k)

    def md_model(self):
        """The engine's model at this campaign's state point (N, and density or pressure)."""
        model = get_model(self.model, n=self.n)
        if self.density is not None:
            if model.ensemble != "nvt":
                raise ValueError(f"density is set by the barostat in {self.model} ({model.ensemble}); "
                                 "give pressure instead")
            model = get_model(self.model, n=self.n, density=self.density)
        if self.pressure is not None:
            if model.ensemble != "npt":
                raise ValueError(f"{self.model} runs at fixed density ({model.ensemble}); give density instead")
            model = model.with_(pressure=self.pressure)
        return model

    def tau_estimate(self, T: float) -> float:
        """Rough τα(T) in τ from this campaign's anchors (see :func:`estimate_tau`)."""
        return estimate_tau(self.model, T, self.tau_anchors)


def _anchors(pairs) -> tuple:
    out = tuple((real_scalar(t, "tau_anchors T", positive=True), real_scalar(tau, "tau_anchors tau", positive=True))
                for t, tau in pairs)
    if len(out) < 2 or len({t for t, _ in out}) != len(out):
        raise ValueError(f"tau_anchors must hold at least two (T, tau) pairs at distinct T, got {pairs!r}")
    return out


def quick_settings(model: str, **changes) -> Settings:
    """The ``--quick`` pipeline check: N = 256, the two hottest temperatures, runs of a few τα."""
    base = dict(model=model, temperatures=DEFAULT_LADDERS[model][:2], n=256, melt_steps=500,
                equil_tau=5.0, min_equil_time=5.0, prod_tau=12.0, min_prod_time=10.0, block_tau=3.0,
                min_tau=4.0, max_extensions=1, species_frames=10, thermo_every=20, checkpoint_every=500,
                quick=True)
    base.update(changes)
    return Settings(**base)


def estimate_tau(model: str, T: float, anchors=None) -> float:
    r"""Rough τα(T) in τ: :math:`\ln\tau_\alpha` linear in 1/T between the ``anchors`` (T, τα)
    (default :data:`TAU_ANCHORS` of ``model``), extrapolated beyond them with the outer segments."""
    if model not in TAU_ANCHORS:
        raise ValueError(f"model must be one of {tuple(TAU_ANCHORS)}, got {model!r}")
    real_scalar(T, "T", positive=True)
    pairs = TAU_ANCHORS[model] if anchors is None else _anchors(anchors)
    x, y = zip(*sorted((1.0 / t, math.log(tau)) for t, tau in pairs))
    i = int(np.clip(np.searchsorted(x, 1.0 / T) - 1, 0, len(x) - 2))
    slope = (y[i + 1] - y[i]) / (x[i + 1] - x[i])
    return float(math.exp(y[i] + slope * (1.0 / T - x[i])))


def point_name(T: float) -> str:
    """Folder name of a state point: ``T0.5000``."""
    return f"T{T:.4f}"


@dataclass(frozen=True)
class Job:
    """One state point: settings, temperature, seed, folders, steps and Numba threads.

    ``threads``: the parts the work is split into (what a bitwise resume needs) and, unless
    ``auto_threads``, the thread count; with ``auto_threads`` the count is chosen during the run
    (:class:`~scaledyn.md.ThreadChooser`, at most ``threads``). ``step_budget``: at most this many
    MD steps in this call (then checkpoint and stop; None = all).
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
    auto_threads: bool = False

    @property
    def summary_path(self) -> Path:
        return Path(self.out) / "summary.json"


def plan_job(settings: Settings, T: float, out, work, threads: int = 1, step_budget=None,
             auto_threads: bool = False) -> Job:
    """Run lengths in steps from the τα estimate (production a whole number of pairs of blocks)."""
    model = settings.md_model()
    tau = settings.tau_estimate(T)
    steps = lambda t: max(1, int(math.ceil(t / model.dt)))  # noqa: E731
    block = steps(settings.block_tau * tau)
    prod = max(steps(settings.prod_tau * tau), steps(settings.min_prod_time))
    prod = 2 * block * int(math.ceil(prod / (2 * block)))
    return Job(settings, T, settings.seed + int(round(T * 10000)), str(out), str(work),
               equil_steps=max(steps(settings.equil_tau * tau), steps(settings.min_equil_time)),
               prod_steps=prod, block=block, species_every=max(1, prod // settings.species_frames),
               threads=threads, step_budget=step_budget, auto_threads=auto_threads)
