r"""Quasi-species: the up-scaling of a configuration to species, their concentrations, and the
data-driven choice of species, reference and liquid set.

Boué, Lerner, Procaccia & Zylberg, *Predictive statistical mechanics for glass forming systems*
(arXiv:0905.3962), §III. Lengths in σ, temperatures in ε/k_B.

**Up-scaling.** A quasi-species is a central particle's type together with its number of neighbours:

* binary3d (50:50 mixture, 3D): neighbours are the particles within the interaction range
  :math:`r_c(i,j)=\sqrt{8/6}\,\sigma_{ij}` with :math:`\sigma_{ij}` = 1.0, 1.2, 1.4; 17 species, small
  centre with n = 3…10 and large centre with n = 6…14; liquid species: small 3–7, large 6–11.
* hump2d (one type, 2D): neighbours are the particles "within the minimum", i.e. inside the hump
  barrier, :math:`r < r_\mathrm{hump}` = 1.32 σ (Table I; the tabulated polynomial actually peaks at
  r ≈ 1.318 σ, where the pair density is lowest, so the count does not depend on this choice);
  species i = 2…6; liquid species i = 2, 5, 6.

Species are grouped by the type of the central particle; group g holds a fixed fraction
:math:`x_g` of the particles (1/2 and 1/2 in the binary mixture, 1 in the hump model). The liquid
concentration :math:`C_\mathrm{liq}=\sum_{i\in\mathrm{liq}} C_i` enters ξ (:mod:`.length_scale`).

**Choices made from data.** The paper's species lists need not fit another state point, so the
choices can be measured: :func:`select_species` applies the paper's rule (keep what reaches 0.5 %
somewhere), :func:`reference_species` picks an abundant reference per central type, and
:func:`concentration_trend` calls "liquid" the species whose concentration falls on cooling.
Free energies, enthalpies and degeneracies are in :mod:`.free_energy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import float_array, int_array, int_scalar, nonnegative_errors, real_scalar, same_length
from .neighbours import count_neighbours
from .stats import linear_lsq

__all__ = [
    "BINARY_SIGMA", "BINARY_CUTOFF", "HUMP_CUTOFF",
    "SpeciesScheme", "binary3d_scheme", "hump2d_scheme",
    "species_index", "snapshot_concentrations", "trajectory_concentrations",
    "SpeciesSelection", "select_species", "reference_species", "ConcentrationTrend", "concentration_trend",
    "ConcentrationShapes", "concentration_shapes", "liquid_concentration",
]

#: σ_ij of the binary 8-6 mixture (type 0 = small, 1 = large), in σ.
BINARY_SIGMA = np.array([[1.0, 1.2], [1.2, 1.4]])
#: Interaction range r_c = (α/β)^{1/(α−β)} σ_ij = √(8/6) σ_ij of the 8-6 potential: the neighbour cutoff.
BINARY_CUTOFF = np.sqrt(8.0 / 6.0) * BINARY_SIGMA
#: Neighbour cutoff of the hump model: the hump position r_hump of Table I, in σ.
HUMP_CUTOFF = 1.32


@dataclass(frozen=True)
class SpeciesScheme:
    """Definition of the quasi-species of a model.

    ``cutoff`` (n_types × n_types, σ), ``central_type`` and ``n_neighbours`` (one entry per species),
    ``fractions`` x_g of the particles of each central type, ``liquid`` (bool per species), ``labels``
    and the space dimension ``dim``.
    """

    name: str
    dim: int
    cutoff: np.ndarray
    central_type: np.ndarray
    n_neighbours: np.ndarray
    fractions: np.ndarray
    liquid: np.ndarray
    labels: tuple

    @property
    def n_species(self) -> int:
        return int(self.central_type.size)

    def subset(self, labels, liquid=None) -> "SpeciesScheme":
        """The scheme restricted to the species ``labels`` (in that order); ``liquid``: labels of the
        liquid species (default: keep each species' flag). Concentrations measured with the full
        scheme are restricted with ``C[:, [scheme.index(l) for l in labels]]``."""
        idx = np.array([self.index(lab) for lab in labels], dtype=int)
        if idx.size == 0 or np.unique(idx).size != idx.size:
            raise ValueError(f"labels must be distinct species of {self.name}, got {labels!r}")
        if liquid is None:
            liq = self.liquid[idx]
        else:
            liq = np.isin(idx, [self.index(lab) for lab in liquid])
        return SpeciesScheme(name=self.name, dim=self.dim, cutoff=self.cutoff.copy(),
                             central_type=self.central_type[idx].copy(),
                             n_neighbours=self.n_neighbours[idx].copy(), fractions=self.fractions.copy(),
                             liquid=liq, labels=tuple(labels))

    def neighbour_range(self, central_type: int = 0) -> tuple[int, int]:
        """Smallest and largest number of neighbours among the species with this ``central_type``."""
        n = self.n_neighbours[self.central_type == int_scalar(central_type, "central_type", minimum=0)]
        if n.size == 0:
            raise ValueError(f"central_type {central_type} has no species in {self.name}")
        return int(n.min()), int(n.max())

    def index(self, label: str) -> int:
        """Position of the species called ``label`` (e.g. ``"s5"``, ``"l8"``, ``"4"``)."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"label {label!r} is not a species of {self.name}: {self.labels}") from None


def _count_range(value, name) -> np.ndarray:
    lo, hi = (int(v) for v in value)
    if not 0 <= lo <= hi:
        raise ValueError(f"{name} must be a pair 0 <= lo <= hi of neighbour counts, got {value!r}")
    return np.arange(lo, hi + 1)


def binary3d_scheme(fractions=(0.5, 0.5), small=(3, 10), large=(6, 14), liquid_max=(7, 11)) -> SpeciesScheme:
    """Species of the binary 8-6 mixture: ``s<n>`` for a small centre with n = ``small[0]``…``small[1]``
    neighbours and ``l<n>`` for a large centre (Eq. 5). The defaults are the paper's 17 species
    (small 3–10, large 6–14). Liquid species: n ≤ ``liquid_max`` (small, large) — the paper's small
    3–7 and large 6–11. Wider ranges (e.g. ``small=(0, 20), large=(0, 26)``) record the whole
    neighbour-count histogram, from which any narrower set can be selected with
    :meth:`SpeciesScheme.subset`."""
    fr = float_array(fractions, "fractions", ndim=1, positive=True)
    if fr.size != 2 or abs(fr.sum() - 1.0) > 1e-12:
        raise ValueError(f"fractions must be two positive numbers summing to 1, got {fractions!r}")
    ns, nl = _count_range(small, "small"), _count_range(large, "large")
    ls, ll = (int(v) for v in liquid_max)
    return SpeciesScheme(
        name="binary3d", dim=3, cutoff=BINARY_CUTOFF.copy(),
        central_type=np.concatenate([np.zeros(ns.size, int), np.ones(nl.size, int)]),
        n_neighbours=np.concatenate([ns, nl]),
        fractions=fr,
        liquid=np.concatenate([ns <= ls, nl <= ll]),
        labels=tuple([f"s{n}" for n in ns] + [f"l{n}" for n in nl]),
    )


def hump2d_scheme(cutoff: float = HUMP_CUTOFF, counts=(2, 6), liquid=(2, 5, 6)) -> SpeciesScheme:
    """The species i = ``counts[0]``…``counts[1]`` of the hump model (Eq. 9; the paper's 2…6):
    neighbours closer than ``cutoff`` (σ). Liquid species: the counts in ``liquid`` (paper: 2, 5, 6)."""
    cutoff = real_scalar(cutoff, "cutoff", positive=True)
    i = _count_range(counts, "counts")
    return SpeciesScheme(
        name="hump2d", dim=2, cutoff=np.array([[cutoff]]),
        central_type=np.zeros(i.size, int), n_neighbours=i, fractions=np.array([1.0]),
        liquid=np.isin(i, np.asarray(liquid, int)), labels=tuple(str(n) for n in i),
    )


# --------------------------------------------------------------------------------------------------
# Concentrations
# --------------------------------------------------------------------------------------------------
def species_index(counts, types, scheme: SpeciesScheme) -> np.ndarray:
    """Species of each particle (index into ``scheme``), −1 if its (type, count) is not a species."""
    counts = int_array(counts, "counts")
    types = int_array(types, "types")
    same_length("counts", counts, "types", types)
    table = -np.ones((scheme.fractions.size, max(counts.max(initial=0), scheme.n_neighbours.max()) + 1), int)
    table[scheme.central_type, scheme.n_neighbours] = np.arange(scheme.n_species)
    if types.size and (types.min() < 0 or types.max() >= table.shape[0]):
        raise ValueError(f"types must lie in [0, {table.shape[0]})")
    return table[types, counts]


def snapshot_concentrations(positions, box, types, scheme: SpeciesScheme) -> tuple[np.ndarray, float]:
    """Mole fractions C_i = N_i/N of the species in one configuration, and the fraction of "other".

    ``positions`` (N, dim) in σ, ``box`` (dim,) in σ, ``types`` (N,) (None for one-type models).
    """
    pos = float_array(positions, "positions", ndim=2)
    if pos.shape[1] != scheme.dim:
        raise ValueError(f"positions must have {scheme.dim} columns for {scheme.name}, got {pos.shape[1]}")
    if types is None:
        types = np.zeros(pos.shape[0], dtype=np.int64)
    counts = count_neighbours(pos, box, types, scheme.cutoff)
    idx = species_index(counts, types, scheme)
    c = np.bincount(idx[idx >= 0], minlength=scheme.n_species) / pos.shape[0]
    return c, float(np.mean(idx < 0))


def trajectory_concentrations(frames, box, types, scheme: SpeciesScheme) -> tuple[np.ndarray, np.ndarray]:
    """Per-snapshot concentrations of a trajectory: ``(samples, other)``.

    ``frames`` (n_frames, N, dim) in σ; ``box`` (dim,) or (n_frames, dim) for NPT runs; ``types``
    (N,) or None. ``samples`` has shape (n_frames, n_species) and ``other`` (n_frames,); feed them to
    :func:`.stats.block_average` (or sum the liquid species per snapshot first).
    """
    frames = float_array(frames, "frames", ndim=3)
    boxes = float_array(box, "box", positive=True)
    if boxes.ndim == 1:
        boxes = np.broadcast_to(boxes, (frames.shape[0], boxes.size))
    if boxes.shape != (frames.shape[0], frames.shape[2]):
        raise ValueError(f"box must have shape ({frames.shape[2]},) or ({frames.shape[0]}, {frames.shape[2]}),"
                         f" got {boxes.shape}")
    out = [snapshot_concentrations(f, b, types, scheme) for f, b in zip(frames, boxes)]
    return np.array([c for c, _ in out]), np.array([o for _, o in out])

# --------------------------------------------------------------------------------------------------
# Data-driven choice of species, reference and liquid set
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpeciesSelection:
    """Result of :func:`select_species`: the selected ``labels`` (scheme order), ``max_C`` (largest
    concentration of each selected species over the temperatures), ``excluded`` (n_T,) the summed
    concentration of the species left out at each temperature, and the ``threshold`` used."""

    labels: tuple
    max_C: np.ndarray
    excluded: np.ndarray
    threshold: float


def select_species(C, scheme: SpeciesScheme, threshold: float = 0.005, contiguous: bool = True) -> SpeciesSelection:
    r"""The paper's selection rule: keep the species that reach :math:`C_i \ge` ``threshold`` at some
    temperature ("other combinations have negligible concentration (< 0.5 %) throughout the
    temperature range", §III.A).

    ``C`` (n_T, n_species) holds the concentrations of *all* species of ``scheme`` (e.g. the whole
    recorded neighbour-count histogram). With ``contiguous`` the neighbour counts kept for each
    central type are made a contiguous range (gaps are filled). Raises ``ValueError`` if no species
    passes.
    """
    C = float_array(C, "C", ndim=2)
    if C.shape[1] != scheme.n_species:
        raise ValueError(f"C must have {scheme.n_species} columns (the species of {scheme.name}), got {C.shape[1]}")
    threshold = real_scalar(threshold, "threshold", positive=True)
    cmax = C.max(axis=0)
    keep = cmax >= threshold
    if not keep.any():
        raise ValueError(f"no species reaches the threshold {threshold} at any temperature")
    if contiguous:
        for grp in np.unique(scheme.central_type):
            m = scheme.central_type == grp
            if keep[m].any():
                n_kept = scheme.n_neighbours[m & keep]
                keep |= m & (scheme.n_neighbours >= n_kept.min()) & (scheme.n_neighbours <= n_kept.max())
    labels = tuple(lab for lab, k in zip(scheme.labels, keep) if k)
    return SpeciesSelection(labels=labels, max_C=cmax[keep], excluded=C[:, ~keep].sum(axis=1),
                            threshold=threshold)


def reference_species(C, scheme: SpeciesScheme) -> tuple:
    """One reference label per central type: the species whose *smallest* concentration over the
    temperatures is largest (an abundant reference keeps the free energies nearly independent and
    is never empty). ``C`` (n_T, n_species) > 0 somewhere for every group."""
    C = float_array(C, "C", ndim=2)
    if C.shape[1] != scheme.n_species:
        raise ValueError(f"C must have {scheme.n_species} columns, got {C.shape[1]}")
    cmin = C.min(axis=0)
    out = []
    for grp in np.unique(scheme.central_type):
        idx = np.flatnonzero(scheme.central_type == grp)
        best = idx[np.argmax(cmin[idx])]
        if cmin[best] <= 0:
            raise ValueError(f"no species of central type {grp} is present at every temperature")
        out.append(scheme.labels[best])
    return tuple(out)


@dataclass(frozen=True)
class ConcentrationTrend:
    r"""Result of :func:`concentration_trend`: per species the apparent enthalpy
    :math:`\Delta_i = -d\ln C_i/d(1/T)` (ε) with its error and number of points, and ``liquid``
    (:math:`\Delta_i > 0`: the concentration falls on cooling)."""

    delta: np.ndarray
    delta_err: np.ndarray
    n_points: np.ndarray
    liquid: np.ndarray


def concentration_trend(T, C, scheme: SpeciesScheme, C_err=None, n_low: int | None = None) -> ConcentrationTrend:
    r"""A data-based 'liquid' criterion: does a species' concentration fall on cooling?

    For each species fit :math:`\ln C_i = a_i - \Delta_i/T` over the ``n_low`` lowest temperatures
    (all by default; weights :math:`\sigma_{\ln C}=\sigma_C/C` if ``C_err`` is given). In the
    species model (Eq. 7) :math:`d\ln C_i/d(1/T) = -(H_i-\langle H\rangle_g)`, so
    :math:`\Delta_i>0` means "enthalpy above the group average": the species the paper calls
    'liquid' — prevalent when hot, rare when cold (§IV). Points with C = 0 are skipped; a species
    with fewer than two positive points gets NaN and is liquid if it vanishes at the lowest T.
    ``T`` needs at least two values.
    """
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)
    C = float_array(C, "C", ndim=2)
    if C.shape != (T.size, scheme.n_species):
        raise ValueError(f"C must have shape ({T.size}, {scheme.n_species}), got {C.shape}")
    if np.any(C < 0):
        raise ValueError("C must be >= 0")
    if C_err is not None:
        C_err = nonnegative_errors(C_err, C, "C_err")
    if n_low is None:
        n_low = T.size
    n_low = int_scalar(n_low, "n_low", minimum=2)
    if n_low > T.size:
        raise ValueError(f"n_low must be an integer in [2, {T.size}], got {n_low!r}")
    rows = np.argsort(T)[:n_low]
    delta = np.full(scheme.n_species, np.nan)
    delta_err = np.full(scheme.n_species, np.nan)
    npts = np.zeros(scheme.n_species, dtype=np.int64)
    for s in range(scheme.n_species):
        c = C[rows, s]
        ok = c > 0
        npts[s] = ok.sum()
        if npts[s] < 2:
            continue
        sigma = None
        if C_err is not None:
            sigma = C_err[rows, s][ok] / c[ok]
            if np.any(sigma <= 0):
                sigma = None
        fit = linear_lsq(np.column_stack([np.ones(npts[s]), -1.0 / T[rows][ok]]), np.log(c[ok]), sigma)
        delta[s] = fit.coef[1]
        delta_err[s] = fit.err[1]
    coldest = rows[np.argmin(T[rows])]
    vanishes = (C[coldest] == 0) & (C[rows].max(axis=0) > 0)
    liquid = np.where(np.isfinite(delta), delta > 0, vanishes)
    return ConcentrationTrend(delta=delta, delta_err=delta_err, n_points=npts, liquid=liquid)


@dataclass(frozen=True)
class ConcentrationShapes:
    """Result of :func:`concentration_shapes`: per species its ``shape`` ("fall": falls on cooling,
    "rise": rises on cooling, "turn": both, a maximum or minimum, "flat": no significant step), the
    ``counts`` of each shape, and the significance ``z`` used."""

    shape: tuple
    counts: dict
    z: float


def concentration_shapes(T, C, C_err, z: float = 2.0) -> ConcentrationShapes:
    r"""How each concentration changes with temperature, counting only significant steps.

    Between neighbouring temperatures a step :math:`\Delta C = C(T_{k+1}) - C(T_k)` is significant
    when :math:`|\Delta C| > z\sqrt{\sigma_k^2+\sigma_{k+1}^2}`. A species whose significant steps all
    go up with T *falls on cooling*, all down *rises on cooling*, both ways *turns* (a maximum or a
    minimum, Fig. 5 of the source), none is *flat*. ``T`` (n_T ≥ 2,) strictly increasing; ``C`` and
    ``C_err`` (n_T, n_species), errors ≥ 0; ``z`` > 0.
    """
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)
    if np.any(np.diff(T) <= 0):
        raise ValueError("T must be strictly increasing")
    C = float_array(C, "C", ndim=2)
    if C.shape[0] != T.size:
        raise ValueError(f"C must have shape ({T.size}, n_species), got {C.shape}")
    C_err = nonnegative_errors(C_err, C, "C_err")
    z = real_scalar(z, "z", positive=True)
    step = np.diff(C, axis=0)
    sig = np.abs(step) > z * np.hypot(C_err[1:], C_err[:-1])
    up, down = np.any(sig & (step > 0), axis=0), np.any(sig & (step < 0), axis=0)
    shape = tuple("turn" if u and d else "fall" if u else "rise" if d else "flat" for u, d in zip(up, down))
    return ConcentrationShapes(shape=shape, counts={k: shape.count(k) for k in ("fall", "rise", "turn", "flat")},
                               z=z)


# --------------------------------------------------------------------------------------------------
# Liquid species, ξ and τα
# --------------------------------------------------------------------------------------------------
def liquid_concentration(C, scheme: SpeciesScheme, C_err=None):
    """C_liq = Σ_{i ∈ liquid} C_i over the last axis; with ``C_err`` also its error (in quadrature,
    neglecting correlations between species; prefer summing per snapshot before averaging)."""
    C = float_array(C, "C")
    if C.shape[-1] != scheme.n_species:
        raise ValueError(f"C must have {scheme.n_species} species along its last axis, got {C.shape[-1]}")
    c_liq = C[..., scheme.liquid].sum(axis=-1)
    if C_err is None:
        return c_liq
    C_err = nonnegative_errors(C_err, C, "C_err")
    return c_liq, np.sqrt(np.sum(C_err[..., scheme.liquid] ** 2, axis=-1))
