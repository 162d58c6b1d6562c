r"""A campaign's per-temperature summaries (``data/md/<model>/T*/``) as arrays, for the chapters, and
the finite-size check that lets a smaller companion system supply the slowest points.

A state point folder holds ``summary.json`` (thermodynamic means with block errors, τα, equilibration
evidence, species concentrations, and since the dynamics analysis the KWW fit, D and, in 2D, the
cage-relative τα and D, and the χ4 peak), ``fs.csv`` (F_s(k,t)), ``msd.csv`` (MSD), ``chi4.csv``
(χ4(t); 2D: ``fs_cr.csv``,
``msd_cr.csv``), ``species.csv`` (concentrations per snapshot) and ``config.npz`` (the last sampled
configuration), written by :mod:`.jobs`. Summaries written before the dynamics analysis still load:
their dynamics arrays are NaN (``python -m scaledyn.campaign <model> --reanalyse`` fills them).
:func:`load_campaign` gathers the finished points of one model into a :class:`CampaignData`, sorted
by increasing temperature. Units: reduced (ε, σ, m, τ = σ√(m/ε), k_B = 1).

**Finite size.** Finite-size check: does a smaller system give the same τα and species concentrations?

The slowest state points cost steps × N. A smaller N may stand in for N = 4096 only where it changes
neither τα nor the quasi-species concentrations beyond their error bars, checked at temperatures run
with both sizes. For each shared temperature :func:`compare_sizes` gives

* :math:`z_\tau = (\tau_b - \tau_a)/\sqrt{\sigma_a^2 + \sigma_b^2}`, the τα difference in combined
  standard errors;
* over the species present above ``min_fraction`` in either run,
  :math:`\chi^2_C = \sum_i (C_{b,i} - C_{a,i})^2 / (\sigma_{a,i}^2 + \sigma_{b,i}^2)` with its number of
  species (degrees of freedom), its upper-tail probability, and the largest :math:`|z_i|`.

Errors are the campaign's block errors, treated as independent Gaussian.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats

from .._checks import int_array, int_scalar, read_json
from ..analysis.free_energy import fit_species
from ..analysis.diffusion import MSDResult, StokesEinstein, read_msd, stokes_einstein
from ..analysis.isf import ISFResult, read_isf
from ..analysis.liquid_geometry import Chi4Result, read_chi4
from ..analysis.species import SpeciesScheme, binary3d_scheme, hump2d_scheme
from ..analysis.stats import block_average, pooled_difference, replica_mean

__all__ = ["CampaignData", "load_campaign", "combine", "try_load_campaign", "relative_reason",
           "recorded_scheme", "same_temperature",
           "SizeComparison", "compare_sizes", "add_small_system", "MIN_SHARED", "HALVES", "ageing_test",
           "pool_replicas", "REPLICA_FIELDS"]


_REQUIRED = ("model", "T", "n", "dim", "density", "U", "E", "K", "P", "tau_alpha", "species", "evidence")
_THERMO = ("density", "U", "E", "K", "P")


def same_temperature(Ta, Tb) -> np.ndarray:
    """Boolean matrix (len(Ta) × len(Tb)): state points at the same temperature (to 1e-9)."""
    return np.isclose(np.asarray(Ta, float)[:, None], np.asarray(Tb, float)[None, :], rtol=0, atol=1e-9)


def recorded_scheme(model: str, labels) -> SpeciesScheme:
    """The species scheme whose labels are ``labels`` (as stored in the summaries of ``model``):
    binary3d ``s<n>``/``l<n>`` with contiguous n, hump2d ``<i>``; liquid flags as in the paper."""
    labels = tuple(labels)
    try:
        if model == "binary3d":
            small = [int(lab[1:]) for lab in labels if lab.startswith("s")]
            large = [int(lab[1:]) for lab in labels if lab.startswith("l")]
            scheme = binary3d_scheme(small=(min(small), max(small)), large=(min(large), max(large)))
        elif model == "hump2d":
            counts = [int(lab) for lab in labels]
            scheme = hump2d_scheme(counts=(min(counts), max(counts)))
        else:
            raise ValueError(f"model must be 'binary3d' or 'hump2d', got {model!r}")
    except (ValueError, IndexError) as exc:
        raise ValueError(f"labels {labels!r} are not a species set of {model}: {exc}") from None
    if scheme.labels != labels:
        raise ValueError(f"labels {labels!r} are not a contiguous species set of {model}")
    return scheme


@dataclass(frozen=True)
class CampaignData:
    """Finished state points of one model, sorted by increasing T.

    Arrays (one entry per state point): ``T``; ``density``, ``U``, ``E``, ``K``, ``P`` (means per
    particle; ``*_err`` block errors); ``tau_alpha``, ``tau_alpha_err`` (τα in τ, from F_s(k,t) = 1/e);
    ``C``, ``C_err`` (n_points × n_species mole fractions of the recorded species ``labels``);
    ``other`` (fraction outside the recorded species); ``equilibrated`` (both halves agree: F_s and
    U, ρ, P); ``production_over_tau`` and ``equilibration_over_tau`` (run lengths in measured τα);
    ``n`` the number of particles. ``folders`` are the state-point folders.

    Dynamics (NaN where a summary predates them or the fit had no window): ``beta``, ``beta_err``,
    ``tau_K``, ``tau_K_err`` (KWW fit of F_s); ``D``, ``D_err`` (σ²/τ) and the window ``D_t_min``,
    ``D_t_max`` (τ); cage-relative (2D models): ``tau_alpha_cr``, ``tau_alpha_cr_err``, ``D_cr``,
    ``D_cr_err``, ``beta_cr``, ``beta_cr_err``; the four-point susceptibility of the overlap (all
    particles): peak time ``chi4_t_peak`` (τ), height ``chi4_peak`` ± ``chi4_peak_err`` (particles).
    """

    model: str
    dim: int
    n: np.ndarray
    ensemble: str
    pressure: float | None
    dt: float
    k: float
    T: np.ndarray
    density: np.ndarray
    density_err: np.ndarray
    U: np.ndarray
    U_err: np.ndarray
    E: np.ndarray
    E_err: np.ndarray
    K: np.ndarray
    K_err: np.ndarray
    P: np.ndarray
    P_err: np.ndarray
    tau_alpha: np.ndarray
    tau_alpha_err: np.ndarray
    labels: tuple
    C: np.ndarray
    C_err: np.ndarray
    other: np.ndarray
    equilibrated: np.ndarray
    production_over_tau: np.ndarray
    equilibration_over_tau: np.ndarray
    beta: np.ndarray
    beta_err: np.ndarray
    tau_K: np.ndarray
    tau_K_err: np.ndarray
    D: np.ndarray
    D_err: np.ndarray
    D_t_min: np.ndarray
    D_t_max: np.ndarray
    tau_alpha_cr: np.ndarray
    tau_alpha_cr_err: np.ndarray
    D_cr: np.ndarray
    D_cr_err: np.ndarray
    beta_cr: np.ndarray
    beta_cr_err: np.ndarray
    chi4_t_peak: np.ndarray
    chi4_peak: np.ndarray
    chi4_peak_err: np.ndarray
    folders: tuple

    @property
    def scheme(self) -> SpeciesScheme:
        """The recorded species scheme (select the paper's set with :meth:`SpeciesScheme.subset`)."""
        return recorded_scheme(self.model, self.labels)

    def columns(self, labels) -> list:
        """Column indices in ``C``/``C_err`` of the recorded species ``labels``."""
        return [self.scheme.index(lab) for lab in labels]

    def concentrations(self, labels, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """``(C, C_err)`` of the species ``labels`` (n_points × len(labels)); ``rows`` an optional
        selection of state points (index array or boolean mask)."""
        idx = self.columns(labels)
        rows = slice(None) if rows is None else rows
        return self.C[rows][:, idx], self.C_err[rows][:, idx]

    def fit_species(self, scheme: SpeciesScheme, rows=None, reference=None):
        """Free energies and their straight lines (:func:`~scaledyn.analysis.free_energy.fit_species`)
        for the species of ``scheme`` (a subset of the recorded ones, e.g. from
        :meth:`SpeciesScheme.subset`), optionally at the state points ``rows`` only (index array
        or boolean mask, e.g. to hold temperatures out). ``reference``: one label per central type
        (default: the most abundant, :func:`~scaledyn.analysis.species.reference_species`). Returns
        ``(reference, F, F_err, fit)`` with one row per selected state point."""
        if not isinstance(scheme, SpeciesScheme):
            raise TypeError(f"scheme must be a SpeciesScheme, got {type(scheme).__name__}")
        rows = self._rows(rows)
        C, C_err = self.concentrations(scheme.labels, rows)
        return fit_species(self.T[rows], C, scheme, C_err, reference=reference)

    def _rows(self, rows) -> np.ndarray:
        """Indices of the state points selected by ``rows`` (None: all; an index array; a boolean mask)."""
        every = np.arange(self.T.size)
        if rows is None:
            return every
        r = np.asarray(rows)
        if r.dtype == bool:
            if r.shape != every.shape:
                raise ValueError(f"rows must be a boolean mask of shape ({every.size},), got shape {r.shape}")
            return every[r]
        r = int_array(r, "rows")
        if r.size == 0 or r.min() < 0 or r.max() >= every.size:
            raise ValueError(f"rows must be indices of state points in [0, {every.size}), got {r.tolist()}")
        return every[r]

    def _index(self, T) -> int:
        i = np.flatnonzero(same_temperature(self.T, [float(T)])[:, 0])
        if i.size != 1:
            raise ValueError(f"T = {T} is not a state point of this campaign ({self.T.tolist()})")
        return int(i[0])

    def fs(self, T, cage_relative: bool = False) -> ISFResult:
        """F_s(k,t) of the state point at temperature ``T`` (the cage-relative one: 2D models)."""
        return read_isf(self._curve_file(T, "fs_cr.csv" if cage_relative else "fs.csv"))

    def msd(self, T, cage_relative: bool = False) -> MSDResult:
        """The MSD of the state point at temperature ``T`` (the cage-relative one: 2D models)."""
        return read_msd(self._curve_file(T, "msd_cr.csv" if cage_relative else "msd.csv"))

    def chi4(self, T) -> Chi4Result:
        """χ4(t) = N[⟨Q²⟩ − ⟨Q⟩²] of the overlap at temperature ``T`` (:func:`~.jobs.chi4_curve`)."""
        return read_chi4(self._curve_file(T, "chi4.csv"))

    def _curve_file(self, T, name: str) -> Path:
        path = self.folders[self._index(T)] / name
        if not path.exists():
            raise ValueError(f"{path} does not exist: the point predates the dynamics analysis, or the model "
                             "has no cage-relative curves; run `python -m scaledyn.campaign <model> --reanalyse`")
        return path

    def stokes_einstein(self, cage_relative: bool = False) -> StokesEinstein:
        """D·τα and D·τα/T over the state points, with propagated errors
        (:func:`~scaledyn.analysis.diffusion.stokes_einstein`); NaN where D or τα is missing."""
        if cage_relative:
            return stokes_einstein(self.T, self.D_cr, self.D_cr_err, self.tau_alpha_cr, self.tau_alpha_cr_err)
        return stokes_einstein(self.T, self.D, self.D_err, self.tau_alpha, self.tau_alpha_err)

    def halves(self, quantity: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(first, first_err, second, second_err)`` per state point: ``quantity`` (a key of
        :data:`HALVES`) measured on the first and the second half of each production run, as recorded
        in the summaries' equilibration evidence (τα from F_s of each half; U, ρ, P block means)."""
        if quantity not in HALVES:
            raise ValueError(f"quantity must be one of {sorted(HALVES)}, got {quantity!r}")
        path, first, second = HALVES[quantity]
        rows = []
        for folder in self.folders:
            entry = read_json(folder / "summary.json")["evidence"]
            for key in path:
                entry = entry[key]
            rows.append([entry[first], entry[first + "_err"], entry[second], entry[second + "_err"]])
        return tuple(np.array(rows, dtype=float).T)

    def species_samples(self, T) -> np.ndarray:
        """Per-snapshot concentrations (n_snapshots × n_species, time order) at temperature ``T``."""
        path = self.folders[self._index(T)] / "species.csv"
        try:
            table = np.genfromtxt(path, delimiter=",", names=True)
            rows = np.column_stack([table[name] for name in self.labels])
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path} is corrupt or does not hold the species {self.labels}: {exc}") from None
        return np.atleast_2d(rows)

    def liquid_concentration(self, labels) -> tuple[np.ndarray, np.ndarray]:
        """C_liq(T) = Σ over ``labels`` of the concentrations, summed per snapshot and then block
        averaged (:func:`~scaledyn.analysis.stats.block_average`), with its block error: the sum per
        snapshot keeps the (negative) correlations between species that a sum of the species' errors
        in quadrature would ignore. One value per state point (ascending T)."""
        idx = self.columns(labels)
        out = np.array([block_average(self.species_samples(T)[:, idx].sum(axis=1, keepdims=True))
                        for T in self.T])
        return out[:, 0, 0], out[:, 1, 0]

    def config(self, T) -> dict:
        """The last sampled configuration at ``T``: ``positions`` (N × dim, σ), ``types``, ``box``."""
        path = self.folders[self._index(T)] / "config.npz"
        try:
            with np.load(path) as z:
                cfg = {key: z[key] for key in ("positions", "types", "box", "step")}
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path} is missing or corrupt: {exc}") from None
        expected = (int(self.n[self._index(T)]), self.dim)
        if cfg["positions"].shape != expected:
            raise ValueError(f"{path}: positions have shape {cfg['positions'].shape}, expected {expected}")
        cfg["positions"] = cfg["positions"].astype(float)
        return cfg


def load_campaign(folder, *, model: str | None = None) -> CampaignData:
    """Read every ``T*/summary.json`` under ``folder`` (one model) into a :class:`CampaignData`.

    ``model``: if given, the summaries must belong to it. Raises ``FileNotFoundError`` if the folder
    does not exist, ``ValueError`` if it holds no finished point, a corrupt summary, several models,
    or points recorded with different species sets (run ``campaign --reanalyse``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"campaign folder {folder} does not exist")
    paths = sorted(folder.glob("T*/summary.json"))
    if not paths:
        raise ValueError(f"{folder} holds no finished state point (no T*/summary.json)")
    rows = [read_json(p, _REQUIRED) for p in paths]
    models = {r["model"] for r in rows}
    if len(models) != 1 or (model is not None and models != {model}):
        raise ValueError(f"{folder} holds summaries of {sorted(models)}" +
                         (f", expected {model!r}" if model is not None else ""))
    labels = {tuple(r["species"]["labels"]) for r in rows}
    if len(labels) != 1:
        raise ValueError(f"{folder}: the state points were analysed with different species sets; "
                         "run `python -m scaledyn.campaign <model> --reanalyse`")
    order = np.argsort([r["T"] for r in rows])
    rows = [rows[i] for i in order]
    folders = tuple(paths[i].parent for i in order)
    col = lambda f: np.array([f(r) for r in rows], dtype=float)  # noqa: E731
    thermo = {}
    for key in _THERMO:
        thermo[key] = col(lambda r, key=key: r[key]["mean"])
        thermo[key + "_err"] = col(lambda r, key=key: r[key]["err"])
    first = rows[0]
    return CampaignData(
        model=first["model"], dim=int(first["dim"]), n=col(lambda r: r["n"]).astype(int), ensemble=first.get("ensemble", ""),
        pressure=first.get("pressure"), dt=float(first.get("dt", np.nan)), k=float(first.get("k", np.nan)),
        T=col(lambda r: r["T"]), **thermo,
        tau_alpha=col(lambda r: r["tau_alpha"]["value"]), tau_alpha_err=col(lambda r: r["tau_alpha"]["err"]),
        labels=labels.pop(), C=np.array([r["species"]["C"] for r in rows], dtype=float),
        C_err=np.array([r["species"]["C_err"] for r in rows], dtype=float),
        other=col(lambda r: r["species"]["other"]),
        equilibrated=np.array([bool(r["evidence"]["equilibrated"]) for r in rows]),
        production_over_tau=col(lambda r: r.get("times", {}).get("production_over_tau") or np.nan),
        equilibration_over_tau=col(lambda r: (r.get("times", {}).get("equilibration") or np.nan)
                                   / r["tau_alpha"]["value"]),
        **_dynamics_columns(rows),
        folders=folders,
    )


#: Optional summary entries (added with the dynamics analysis): array name -> path in summary.json.
_DYNAMICS = {
    "beta": ("kww", "beta"), "beta_err": ("kww", "beta_err"), "tau_K": ("kww", "tau_K"),
    "tau_K_err": ("kww", "tau_K_err"), "D": ("diffusion", "D"), "D_err": ("diffusion", "D_err"),
    "D_t_min": ("diffusion", "t_min"), "D_t_max": ("diffusion", "t_max"),
    "tau_alpha_cr": ("cage_relative", "tau_alpha", "value"), "tau_alpha_cr_err": ("cage_relative", "tau_alpha", "err"),
    "D_cr": ("cage_relative", "diffusion", "D"), "D_cr_err": ("cage_relative", "diffusion", "D_err"),
    "beta_cr": ("cage_relative", "kww", "beta"), "beta_cr_err": ("cage_relative", "kww", "beta_err"),
    "chi4_t_peak": ("chi4", "t_peak"), "chi4_peak": ("chi4", "chi4_peak"), "chi4_peak_err": ("chi4", "chi4_peak_err"),
}


def _dynamics_columns(rows) -> dict:
    """The :data:`_DYNAMICS` arrays of the summaries ``rows``; NaN where an entry is missing or null."""
    def get(r, path):
        for key in path:
            r = r.get(key) if isinstance(r, dict) else None
        return np.nan if r is None else float(r)
    return {name: np.array([get(r, path) for r in rows], dtype=float) for name, path in _DYNAMICS.items()}


def combine(main: CampaignData, extra: CampaignData) -> CampaignData:
    """The points of ``main`` plus those of ``extra`` at temperatures ``main`` lacks, sorted by T.

    For a companion campaign at a smaller N that reaches colder, slower state points (its points at
    shared temperatures are the finite-size check, see :func:`compare_sizes`, and are
    left out). Both must be the same model, ensemble, pressure, time step, wave number and species
    set; ``ValueError`` names what differs.
    """
    for key in ("model", "dim", "ensemble", "pressure", "dt", "k", "labels"):
        a, b = getattr(main, key), getattr(extra, key)
        same = np.isclose(a, b) if isinstance(a, float) and isinstance(b, float) else a == b
        if not same:
            raise ValueError(f"cannot combine campaigns with different {key}: {a!r} and {b!r}")
    new = ~same_temperature(extra.T, main.T).any(axis=1)
    order = np.argsort(np.concatenate([main.T, extra.T[new]]), kind="stable")
    fields = {}
    for key, value in vars(main).items():
        other = getattr(extra, key)
        if isinstance(value, np.ndarray):
            fields[key] = np.concatenate([value, other[new]])[order]
        elif key == "folders":
            merged = value + tuple(f for f, keep in zip(other, new) if keep)
            fields[key] = tuple(merged[i] for i in order)
        else:
            fields[key] = value
    return CampaignData(**fields)


def try_load_campaign(model: str, folder) -> tuple[CampaignData | None, str | None]:
    """``(data, None)``, or ``(None, reason)`` if the campaign of ``model`` in ``folder`` cannot be
    loaded — for chapters that degrade gracefully without data. The reason names the folder relative
    to the repository. A model's whole ladder (main campaign, colder extensions, smaller companion):
    :func:`scaledyn.campaign.ladders.try_load_ladder`."""
    try:
        return load_campaign(Path(folder), model=model), None
    except (FileNotFoundError, ValueError) as exc:
        return None, relative_reason(exc)


def relative_reason(exc: Exception) -> str:
    """The message of ``exc`` with the book's ``data/md`` folder named relative to the repository."""
    from .. import data_path

    return str(exc).replace(str(data_path("md")), "data/md")


# --------------------------------------------------------------------------------------------------
# finite size

#: Shared temperatures the smaller system must match before its other points are used (the issue: two).
MIN_SHARED = 2


@dataclass(frozen=True)
class SizeComparison:
    """Per shared temperature ``T`` (ascending): sizes ``n_a``, ``n_b``; ``tau_a``, ``tau_a_err``,
    ``tau_b``, ``tau_b_err`` and ``z_tau``; ``chi2_C``, ``dof_C``, ``p_C`` (χ² upper-tail
    probability) and ``max_z_C`` of the concentrations."""

    T: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray
    tau_a: np.ndarray
    tau_a_err: np.ndarray
    tau_b: np.ndarray
    tau_b_err: np.ndarray
    z_tau: np.ndarray
    chi2_C: np.ndarray
    dof_C: np.ndarray
    p_C: np.ndarray
    max_z_C: np.ndarray

    def consistent(self, z_max: float = 3.0, p_min: float = 1e-3) -> np.ndarray:
        """Per temperature: |z_τ| ≤ ``z_max`` and the concentration χ² has probability ≥ ``p_min``."""
        return (np.abs(self.z_tau) <= z_max) & (self.p_C >= p_min)


def _z(a, a_err, b, b_err):
    err = np.hypot(a_err, b_err)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(err > 0, (b - a) / err, np.where(a == b, 0.0, np.inf))


def compare_sizes(a: CampaignData, b: CampaignData, min_fraction: float = 0.005) -> SizeComparison:
    """Compare campaigns ``a`` and ``b`` of one model at their shared temperatures (see module doc).

    Raises ``ValueError`` if they are different models or species sets, share no temperature, or
    ``min_fraction`` is not in [0, 1).
    """
    if a.model != b.model or a.labels != b.labels:
        raise ValueError(f"cannot compare {a.model} ({len(a.labels)} species) with {b.model} "
                         f"({len(b.labels)} species): model or species set differ")
    if not (np.isfinite(min_fraction) and 0 <= min_fraction < 1):
        raise ValueError(f"min_fraction must be in [0, 1), got {min_fraction}")
    ia, ib = np.nonzero(same_temperature(a.T, b.T))
    if ia.size == 0:
        raise ValueError(f"no shared temperature: {a.T.tolist()} and {b.T.tolist()}")
    z_C = _z(a.C[ia], a.C_err[ia], b.C[ib], b.C_err[ib])
    present = (a.C[ia] >= min_fraction) | (b.C[ib] >= min_fraction)
    chi2 = np.where(present, z_C**2, 0.0).sum(axis=1)
    dof = present.sum(axis=1)
    return SizeComparison(
        T=a.T[ia], n_a=a.n[ia], n_b=b.n[ib],
        tau_a=a.tau_alpha[ia], tau_a_err=a.tau_alpha_err[ia],
        tau_b=b.tau_alpha[ib], tau_b_err=b.tau_alpha_err[ib],
        z_tau=_z(a.tau_alpha[ia], a.tau_alpha_err[ia], b.tau_alpha[ib], b.tau_alpha_err[ib]),
        chi2_C=chi2, dof_C=dof, p_C=stats.chi2.sf(chi2, np.maximum(dof, 1)),
        max_z_C=np.where(present, np.abs(z_C), 0.0).max(axis=1),
    )


def add_small_system(main: CampaignData, small: CampaignData | None, min_shared: int = MIN_SHARED,
                     **criteria) -> tuple[CampaignData, SizeComparison | None, str]:
    """``main`` plus the colder points of ``small`` — only if ``small`` has earned them.

    The points are added (:func:`combine`) when the two systems share
    at least ``min_shared`` temperatures and agree at every one of them
    (:meth:`SizeComparison.consistent` with ``criteria``). Returns ``(data, comparison, status)``:
    ``comparison`` is None without shared temperatures; ``status`` says what was done and why.
    """
    min_shared = int_scalar(min_shared, "min_shared")
    if small is None:
        return main, None, "no smaller system has finished a state point"
    try:
        comparison = compare_sizes(main, small)
    except ValueError as exc:
        if "no shared temperature" not in str(exc):
            raise
        return main, None, "the smaller system shares no temperature with the main one yet"
    if comparison.T.size < min_shared:
        return main, comparison, (f"the smaller system shares {comparison.T.size} of the {min_shared} "
                                  "temperatures needed to validate it; its other points are not used")
    if not comparison.consistent(**criteria).all():
        return main, comparison, "the two sizes disagree at a shared temperature; the smaller system is not used"
    data = combine(main, small)
    added = data.T.size - main.T.size
    used = "1 colder point of the smaller system is used" if added == 1 else \
        f"{added} colder points of the smaller system are used"
    return data, comparison, f"the sizes agree; {used}"


# --------------------------------------------------------------------------------------------------
# ageing and replicas

#: Quantities measured on each half of a production run (``summary["evidence"]``): name -> (path,
#: key of the first half, key of the second half); each key has a ``_err`` companion.
HALVES = {"tau_alpha": (("ageing",), "tau_first", "tau_second"),
          "U": (("stationary", "U"), "first", "second"),
          "density": (("stationary", "density"), "first", "second"),
          "P": (("stationary", "P"), "first", "second")}


def ageing_test(campaigns, T_max: float, quantities=("tau_alpha", "U", "density")) -> dict:
    r"""The pooled ageing test: over every state point with T ≤ ``T_max`` of every campaign in
    ``campaigns`` (a ladder's main campaign and its replicas: independent runs), first half against
    second half of production, one pooled z per quantity
    (:func:`~scaledyn.analysis.stats.pooled_difference`: :math:`z_i = (b_i - a_i)/\sqrt{\sigma_a^2 +
    \sigma_b^2}`, :math:`Z = \sum_i z_i/\sqrt n`). Residual ageing shows as Z > 0 for τα (slower
    later) and Z < 0 for U (lower later).

    Returns ``{quantity: PooledDifference or None}``: None for a quantity fixed by the ensemble (both
    halves equal with zero error, e.g. ρ at constant volume). ``ValueError`` if no point is that cold.
    """
    campaigns = list(campaigns)
    if not campaigns or not all(isinstance(c, CampaignData) for c in campaigns):
        raise TypeError("campaigns must be a non-empty sequence of CampaignData")
    out = {}
    for q in quantities:
        rows = np.concatenate([np.column_stack(c.halves(q))[c.T <= T_max + 1e-12] for c in campaigns])
        if rows.shape[0] == 0:
            raise ValueError(f"no state point at T <= {T_max}")
        a, a_err, b, b_err = rows.T
        # at constant volume rho is exact: halves equal to rounding, errors ~1e-17 or 0
        fixed = np.allclose(a, b, rtol=1e-12, atol=0) and np.all(np.maximum(a_err, b_err) <= 1e-12 * np.abs(a))
        out[q] = None if fixed else pooled_difference(a, a_err, b, b_err)
    return out


#: Per-point averages that :func:`pool_replicas` replaces by the replica mean and scatter.
REPLICA_FIELDS = ("density", "U", "E", "K", "P", "tau_alpha")


def pool_replicas(main: CampaignData, replicas) -> tuple[CampaignData, np.ndarray]:
    r"""``main`` with, at every temperature that at least one replica campaign shares, τα, each average
    of :data:`REPLICA_FIELDS` and the concentrations ``C`` replaced by the mean over the runs (main +
    the replicas that have the point) and their errors by the scatter of the runs,
    :math:`s/\sqrt n` (:func:`~scaledyn.analysis.stats.replica_mean`). Returns ``(data, n_runs)`` with
    the number of runs behind each point (1: main alone, its own block errors kept). Replicas must be
    the same model and species set; ``ValueError`` otherwise."""
    replicas = list(replicas)
    for r in replicas:
        if not isinstance(r, CampaignData):
            raise TypeError(f"replicas must be CampaignData, got {type(r).__name__}")
        if (r.model, r.labels, r.dim) != (main.model, main.labels, main.dim):
            raise ValueError(f"a replica of {r.model} ({len(r.labels)} species) cannot pool with {main.model} "
                             f"({len(main.labels)} species)")
    fields = {key: np.array(getattr(main, key), dtype=float) for key in
              [*REPLICA_FIELDS, *(f + "_err" for f in REPLICA_FIELDS), "C", "C_err"]}
    n_runs = np.ones(main.T.size, dtype=int)
    for i, T in enumerate(main.T):
        rows = [np.flatnonzero(same_temperature(r.T, [T])[:, 0]) for r in replicas]
        runs = [(main, i), *((r, int(j[0])) for r, j in zip(replicas, rows) if j.size)]
        if len(runs) < 2:
            continue
        n_runs[i] = len(runs)
        for key in (*REPLICA_FIELDS, "C"):
            fields[key][i], fields[key + "_err"][i] = replica_mean(np.array([getattr(r, key)[k] for r, k in runs]))
    return replace(main, **fields), n_runs
