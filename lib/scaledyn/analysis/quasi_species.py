r"""Quasi-species: up-scaling, concentrations, free energies, enthalpies and degeneracies, ξ and τα.

Boué, Lerner, Procaccia & Zylberg, *Predictive statistical mechanics for glass forming systems*
(arXiv:0905.3962), §III–IV. All energies in ε, temperatures in ε/k_B, lengths in σ.

**Up-scaling.** A quasi-species is a central particle's type together with its number of neighbours:

* binary3d (50:50 mixture, 3D): neighbours are the particles within the interaction range
  :math:`r_c(i,j)=\sqrt{8/6}\,\sigma_{ij}` with :math:`\sigma_{ij}` = 1.0, 1.2, 1.4; 17 species, small
  centre with n = 3…10 and large centre with n = 6…14; liquid species: small 3–7, large 6–11.
* hump2d (one type, 2D): neighbours are the particles "within the minimum", i.e. inside the hump
  barrier, :math:`r < r_\mathrm{hump}` = 1.32 σ (Table I; the tabulated polynomial actually peaks at
  r ≈ 1.318 σ, where the pair density is lowest, so the count does not depend on this choice);
  species i = 2…6; liquid species i = 2, 5, 6.

**Statistical mechanics.** Species are grouped by the type of the central particle; group g holds a
fixed fraction :math:`x_g` of the particles (1/2 and 1/2 in the binary mixture — the factor 2 in the
denominators of Eq. (5); 1 in the hump model, Eq. (9)). Within a group

.. math:: \langle C_i\rangle(T) = x_g\,\frac{e^{-F_i(T)/T}}{\sum_{j\in g} e^{-F_j(T)/T}},\qquad
          F_i(T) = H_i - T\ln g_i ,

(Eqs. 5–7, 9–10), so the inversion is :math:`F_i - F_{\mathrm{ref}(g)} = -T\ln(C_i/C_{\mathrm{ref}(g)})`.
Because every group is normalised separately, the free energies are fixed only up to **one constant
per group** (one reference species per central type). The liquid concentration
:math:`C_\mathrm{liq}=\sum_{i\in\mathrm{liq}} C_i` defines :math:`\xi=(\rho C_\mathrm{liq})^{-1/d}`
(Eqs. 11, 13) and :math:`\tau_\alpha=\tau_\infty e^{\mu\xi/T}` (Eq. 12 with a fitted prefactor).

**Choices made from data.** The paper's species lists need not fit another state point (our binary
mixture has more neighbours per particle), so the choices can be measured: :func:`select_species`
applies the paper's rule (keep what reaches 0.5 % somewhere), :func:`reference_species` picks an
abundant reference per central type, :func:`concentration_trend` calls "liquid" the species whose
concentration falls on cooling (apparent enthalpy above the group average), and :func:`fit_species`
does inversion and straight-line fits in one call, with a reduced χ² per species as the test of
linearity. :meth:`SpeciesFit.sample` and :func:`predict_log_tau_err` carry the fit errors into
extrapolations.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from .._checks import float_array, int_array, optional_errors, real_scalar, same_length
from ._fit import linear_lsq
from .neighbours import count_neighbours

__all__ = [
    "BINARY_SIGMA", "BINARY_CUTOFF", "HUMP_CUTOFF",
    "SpeciesScheme", "binary3d_scheme", "hump2d_scheme",
    "species_index", "snapshot_concentrations", "trajectory_concentrations", "average_concentrations",
    "free_energies", "concentrations_from_free_energies", "model_concentrations",
    "SpeciesFit", "fit_free_energies", "fit_species",
    "SpeciesSelection", "select_species", "reference_species", "ConcentrationTrend", "concentration_trend",
    "gaussian_degeneracy", "GaussianFit", "fit_gaussian_degeneracy",
    "liquid_concentration", "correlation_length", "TauXiFit", "fit_tau_xi", "predict_tau",
    "predict_log_tau_err",
    "paper_hump_table", "paper_binary_gaussian",
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
    :func:`average_concentrations` (or sum the liquid species per snapshot first).
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


def average_concentrations(samples, n_blocks: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean of per-snapshot concentrations and its error from block averaging.

    ``samples`` (n_snapshots, n_species), in time order. The snapshots are cut into ``n_blocks``
    contiguous blocks (fewer if there are fewer snapshots); the error is the standard deviation of
    the block means (ddof=1) over √n_blocks, which accounts for correlations shorter than a block.
    """
    s = float_array(samples, "samples", ndim=2)
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, (int, np.integer)) or n_blocks < 2:
        raise ValueError(f"n_blocks must be an integer >= 2, got {n_blocks!r}")
    nb = min(n_blocks, s.shape[0])
    if nb < 2:
        raise ValueError("samples must hold at least 2 snapshots for an error bar")
    blocks = np.array([b.mean(axis=0) for b in np.array_split(s, nb)])
    return s.mean(axis=0), blocks.std(axis=0, ddof=1) / np.sqrt(nb)


# --------------------------------------------------------------------------------------------------
# Inversion and the species model
# --------------------------------------------------------------------------------------------------
def _references(scheme: SpeciesScheme, reference) -> np.ndarray:
    """One reference species index per central type (default: the first species of each group)."""
    groups = np.unique(scheme.central_type)
    if reference is None:
        return np.array([np.flatnonzero(scheme.central_type == g)[0] for g in groups])
    refs = [scheme.index(r) if isinstance(r, str) else int(r) for r in np.atleast_1d(reference)]
    if sorted(scheme.central_type[refs].tolist()) != groups.tolist():
        raise ValueError(f"reference must name exactly one species per central type, got {reference!r}")
    return np.array(refs)


def free_energies(T, C, scheme: SpeciesScheme, C_err=None, reference=None):
    r"""Invert Eqs. (5)/(9): :math:`F_i(T) = -T\ln[C_i(T)/C_{\mathrm{ref}(g)}(T)]`, so F_ref ≡ 0.

    Parameters
    ----------
    T : (n_T,) temperatures (> 0).
    C : (n_T, n_species) mean concentrations (≥ 0; zeros give F = +inf, to be left out of fits).
    C_err : optional (n_T, n_species) one-sigma errors (≥ 0).
    reference : label(s) or index(es), one species per central type (default: first of each group).

    Returns
    -------
    F, F_err : (n_T, n_species) arrays; F_err (NaN if ``C_err`` is None) propagates the errors of C_i
    and C_ref in quadrature, :math:`T\sqrt{(\sigma_i/C_i)^2+(\sigma_\mathrm{ref}/C_\mathrm{ref})^2}`,
    and is 0 for the reference species.
    """
    T = float_array(T, "T", ndim=1, positive=True)
    C = float_array(C, "C", ndim=2)
    if C.shape != (T.size, scheme.n_species):
        raise ValueError(f"C must have shape ({T.size}, {scheme.n_species}), got {C.shape}")
    if np.any(C < 0):
        raise ValueError("C must be >= 0")
    refs = _references(scheme, reference)
    ref_of = refs[np.searchsorted(np.unique(scheme.central_type), scheme.central_type)]
    cref = C[:, ref_of]
    if np.any(cref <= 0):
        raise ValueError("the reference concentrations must be > 0 at every temperature")
    with np.errstate(divide="ignore"):
        F = -T[:, None] * np.log(C / cref)
    F_err = np.full_like(F, np.nan)
    if C_err is not None:
        C_err = float_array(C_err, "C_err", ndim=2)
        if C_err.shape != C.shape or np.any(C_err < 0):
            raise ValueError(f"C_err must be >= 0 with shape {C.shape}")
        with np.errstate(divide="ignore", invalid="ignore"):
            F_err = T[:, None] * np.hypot(C_err / C, C_err[:, ref_of] / cref)
        F_err[:, refs] = 0.0
    return F, F_err


def concentrations_from_free_energies(T, F, scheme: SpeciesScheme) -> np.ndarray:
    r"""Eqs. (5)/(9): :math:`C_i = x_g e^{-F_i/T}/\sum_{j\in g}e^{-F_j/T}`, shape (n_T, n_species).

    ``F`` is (n_species,) (temperature independent) or (n_T, n_species); the sums are done with the
    log-sum-exp shift, so very low T does not underflow.
    """
    T = float_array(T, "T", ndim=1, positive=True)
    F = float_array(F, "F", finite=False)
    if np.any(np.isnan(F)) or np.any(F == -np.inf):
        raise ValueError("F must not contain NaN or -inf")
    F = np.broadcast_to(F, (T.size, scheme.n_species)) if F.ndim == 1 else F
    if F.shape != (T.size, scheme.n_species):
        raise ValueError(f"F must have shape ({scheme.n_species},) or ({T.size}, {scheme.n_species})")
    a = -F / T[:, None]
    C = np.zeros_like(a)
    for g, x in enumerate(scheme.fractions):
        m = scheme.central_type == g
        am = a[:, m]
        amax = am.max(axis=1, keepdims=True)
        w = np.exp(am - amax)
        C[:, m] = x * w / w.sum(axis=1, keepdims=True)
    return C


def model_concentrations(T, H, g, scheme: SpeciesScheme) -> np.ndarray:
    r"""Eq. (7): :math:`C_i(T) = x_g\,g_i e^{-H_i/T}/\sum_{j\in g} g_j e^{-H_j/T}`, shape (n_T, n_species).

    ``H`` (ε) and ``g`` (> 0) have one entry per species.
    """
    H = float_array(H, "H", ndim=1)
    g = float_array(g, "g", ndim=1, positive=True)
    if H.size != scheme.n_species or g.size != scheme.n_species:
        raise ValueError(f"H and g must have {scheme.n_species} entries, got {H.size} and {g.size}")
    T = float_array(T, "T", ndim=1, positive=True)
    return concentrations_from_free_energies(T, H[None, :] - T[:, None] * np.log(g)[None, :], scheme)


@dataclass(frozen=True)
class SpeciesFit:
    """Linear fits F_i(T) = H_i − T ln g_i (Eq. 6/10), one per species.

    Arrays of length n_species: ``H``, ``H_err``, ``ln_g``, ``ln_g_err``, ``g``, ``g_err``
    (= g σ_{ln g}), ``cov_H_lng`` (covariance of H and ln g), ``r2``, ``n_points``;
    ``residuals`` (n_T, n_species), NaN where a point was not used; ``chi2_red`` the reduced χ²
    (weighted residuals, NaN without errors or without degrees of freedom) — with honest errors,
    values ≫ 1 mean F_i(T) is *not* linear within the statistical precision. Species with fewer
    than two usable points have NaN parameters; a reference species (F ≡ 0) has H = 0, g = 1 exactly.
    """

    H: np.ndarray
    H_err: np.ndarray
    ln_g: np.ndarray
    ln_g_err: np.ndarray
    cov_H_lng: np.ndarray
    r2: np.ndarray
    n_points: np.ndarray
    residuals: np.ndarray
    chi2_red: np.ndarray | None = None

    @property
    def g(self) -> np.ndarray:
        return np.exp(self.ln_g)

    @property
    def g_err(self) -> np.ndarray:
        return self.g * self.ln_g_err

    def sample(self, n: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws of (H, g), each of shape (n, n_species), from independent bivariate normals
        of (H_i, ln g_i) with the fitted covariances — for error bands on extrapolations.

        Correlations *between* species (through the common reference species) are neglected.
        Raises ``ValueError`` if any species has NaN parameters.
        """
        n = int(n)
        if n < 1:
            raise ValueError(f"n must be a positive integer, got {n}")
        if not (np.all(np.isfinite(self.H)) and np.all(np.isfinite(self.ln_g))):
            raise ValueError("every species must have fitted H and ln g (no NaN) to be sampled")
        rng = np.random.default_rng(rng)
        z1, z2 = rng.standard_normal((2, n, self.H.size))
        sh, sg = np.nan_to_num(self.H_err), np.nan_to_num(self.ln_g_err)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where(sh * sg > 0, self.cov_H_lng / (sh * sg), 0.0)
        rho = np.clip(np.nan_to_num(rho), -1.0, 1.0)
        H = self.H + sh * z1
        ln_g = self.ln_g + sg * (rho * z1 + np.sqrt(1.0 - rho**2) * z2)
        return H, np.exp(ln_g)


def fit_free_energies(T, F, F_err=None) -> SpeciesFit:
    """Fit F_i(T) = H_i − T ln g_i for every species (weighted if ``F_err`` is given).

    ``T`` (n_T,), ``F`` and ``F_err`` (n_T, n_species); points with non-finite F or F_err are
    skipped. Without ``F_err`` the parameter errors are scaled by the residual variance (they need
    at least three points). With ``F_err`` they are absolute.
    """
    T = float_array(T, "T", ndim=1, positive=True)
    F = float_array(F, "F", ndim=2, finite=False)
    if F.shape[0] != T.size:
        raise ValueError(f"F must have {T.size} rows (one per temperature), got {F.shape[0]}")
    if F_err is not None:
        F_err = float_array(F_err, "F_err", ndim=2, finite=False)
        if F_err.shape != F.shape:
            raise ValueError(f"F_err must have shape {F.shape}, got {F_err.shape}")
    ns = F.shape[1]
    out = {k: np.full(ns, np.nan) for k in ("H", "H_err", "ln_g", "ln_g_err", "cov_H_lng", "r2", "chi2_red")}
    n_points = np.zeros(ns, dtype=np.int64)
    residuals = np.full(F.shape, np.nan)
    X = np.column_stack([np.ones(T.size), -T])
    for s in range(ns):
        ok = np.isfinite(F[:, s])
        if F_err is not None:
            ok &= np.isfinite(F_err[:, s])
        n_points[s] = ok.sum()
        if ok.any() and np.all(F[ok, s] == 0.0):  # the reference species
            out["H"][s], out["ln_g"][s], out["r2"][s] = 0.0, 0.0, 1.0
            out["H_err"][s] = out["ln_g_err"][s] = out["cov_H_lng"][s] = 0.0
            residuals[ok, s] = 0.0
            continue
        if n_points[s] < 2:
            continue
        sigma = None
        if F_err is not None:
            sigma = F_err[ok, s]
            if np.any(sigma <= 0):
                raise ValueError(f"F_err must be > 0 for the fitted points of species {s}")
        fit = linear_lsq(X[ok], F[ok, s], sigma)
        out["H"][s], out["ln_g"][s] = fit.coef
        out["H_err"][s], out["ln_g_err"][s] = np.sqrt(np.diag(fit.cov))
        out["cov_H_lng"][s] = fit.cov[0, 1]
        out["r2"][s] = fit.r2
        if F_err is not None and fit.dof > 0:
            out["chi2_red"][s] = fit.chi2 / fit.dof
        residuals[ok, s] = fit.residuals
    return SpeciesFit(n_points=n_points, residuals=residuals, **out)


def fit_species(T, C, scheme: SpeciesScheme, C_err=None, reference=None):
    """Measured concentrations → free energies → straight lines, in one call (Eqs. 5–6, 9–10).

    ``C`` and ``C_err`` (n_T, n_species) are the concentrations of the species of ``scheme`` (a
    subset of a recorded histogram is fine: they need not sum to one). ``reference``: one label per
    central type, default :func:`reference_species`. A species with zero error at some temperature
    (never observed there) carries no information at that point and is skipped. Returns
    ``(reference, F, F_err, fit)`` with ``fit`` a :class:`SpeciesFit`.
    """
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)
    C = float_array(C, "C", ndim=2)
    ref = tuple(reference) if reference is not None else reference_species(C, scheme)
    F, F_err = free_energies(T, C, scheme, C_err=C_err, reference=ref)
    if C_err is not None:
        C_err = float_array(C_err, "C_err", ndim=2)
        F_err = np.where(C_err > 0, F_err, np.nan)
        F_err[:, [scheme.index(r) if isinstance(r, str) else int(r) for r in ref]] = 0.0
    else:
        F_err = None
    return ref, F, F_err, fit_free_energies(T, F, F_err)


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
        C_err = float_array(C_err, "C_err", ndim=2)
        if C_err.shape != C.shape or np.any(C_err < 0):
            raise ValueError(f"C_err must be >= 0 with shape {C.shape}")
    if n_low is None:
        n_low = T.size
    if isinstance(n_low, bool) or not isinstance(n_low, (int, np.integer)) or not 2 <= n_low <= T.size:
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


# --------------------------------------------------------------------------------------------------
# Gaussian model of the degeneracies, Eq. (8)
# --------------------------------------------------------------------------------------------------
def gaussian_degeneracy(n, n_mp: float, sigma2: float, amplitude: float = 1.0) -> np.ndarray:
    r"""Eq. (8): :math:`g(n) = A\,e^{-(n-n_\mathrm{mp})^2/(2\sigma^2)}` (A = 1 in the paper).

    A cancels in the concentrations (Eq. 7), so the paper's A = 1 is a convention, not a result.
    """
    n = float_array(n, "n")
    n_mp = real_scalar(n_mp, "n_mp")
    sigma2 = real_scalar(sigma2, "sigma2", positive=True)
    amplitude = real_scalar(amplitude, "amplitude", positive=True)
    return amplitude * np.exp(-((n - n_mp) ** 2) / (2.0 * sigma2))


@dataclass(frozen=True)
class GaussianFit:
    """Fit of Eq. (8) to degeneracies: ``n_mp``, ``sigma2``, ``amplitude`` with one-sigma errors,
    ``r2`` and ``residuals`` of ln g."""

    n_mp: float
    n_mp_err: float
    sigma2: float
    sigma2_err: float
    amplitude: float
    amplitude_err: float
    r2: float
    residuals: np.ndarray


def fit_gaussian_degeneracy(n, g, g_err=None) -> GaussianFit:
    r"""Fit ln g(n) = ln A − (n − n_mp)²/(2σ²) (a parabola in n, weighted by σ_{ln g} = σ_g/g).

    The amplitude A is a free parameter because degeneracies read off Eq. (6) carry the arbitrary
    normalisation of the reference species. Needs ≥ 3 points and a downward parabola.
    """
    n = float_array(n, "n", ndim=1, min_size=3)
    g = float_array(g, "g", ndim=1, positive=True)
    same_length("n", n, "g", g)
    g_err = optional_errors(g_err, g, "g_err")
    sigma = None if g_err is None else g_err / g
    fit = linear_lsq(np.column_stack([np.ones(n.size), n, n**2]), np.log(g), sigma)
    c0, c1, c2 = fit.coef
    if c2 >= 0:
        raise ValueError("ln g is not concave in n: the data have no Gaussian maximum")
    sigma2 = -1.0 / (2.0 * c2)
    n_mp = -c1 / (2.0 * c2)
    ln_a = c0 - c1**2 / (4.0 * c2)
    # Jacobians of (n_mp, sigma2, ln A) with respect to (c0, c1, c2)
    J = np.array([[0.0, -1.0 / (2 * c2), c1 / (2 * c2**2)],
                  [0.0, 0.0, 1.0 / (2 * c2**2)],
                  [1.0, -c1 / (2 * c2), c1**2 / (4 * c2**2)]])
    cov = J @ fit.cov @ J.T
    err = np.sqrt(np.diag(cov))
    amp = float(np.exp(ln_a))
    return GaussianFit(n_mp=float(n_mp), n_mp_err=float(err[0]), sigma2=float(sigma2),
                       sigma2_err=float(err[1]), amplitude=amp, amplitude_err=float(amp * err[2]),
                       r2=fit.r2, residuals=fit.residuals)


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
    C_err = float_array(C_err, "C_err")
    if C_err.shape != C.shape or np.any(C_err < 0):
        raise ValueError(f"C_err must be >= 0 with shape {C.shape}")
    return c_liq, np.sqrt(np.sum(C_err[..., scheme.liquid] ** 2, axis=-1))


def correlation_length(rho, c_liq, dim: int, c_liq_err=None):
    r"""Eqs. (11)/(13): :math:`\xi = (\rho\,C_\mathrm{liq})^{-1/d}` in σ (ρ in σ⁻ᵈ).

    With ``c_liq_err``, also :math:`\sigma_\xi = \xi\,\sigma_C/(d\,C_\mathrm{liq})`. ``rho`` may be a
    scalar or an array matching ``c_liq`` (NPT runs have a density per temperature).
    """
    if isinstance(dim, bool) or dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    c = float_array(c_liq, "c_liq", positive=True)
    r = float_array(rho, "rho", positive=True)
    xi = (r * c) ** (-1.0 / dim)
    if c_liq_err is None:
        return xi
    ce = float_array(c_liq_err, "c_liq_err")
    return xi, xi * ce / (dim * c)


@dataclass(frozen=True)
class TauXiFit:
    """Fit of ln τα = ln τ∞ + μ ξ/T: ``mu`` (ε/σ), ``tau_inf`` (time unit of τ), their errors,
    ``r2`` and the ``residuals`` of ln τ."""

    mu: float
    mu_err: float
    tau_inf: float
    tau_inf_err: float
    r2: float
    residuals: np.ndarray
    cov: np.ndarray | None = None
    chi2: float = float("nan")
    dof: int = 0

    @property
    def chi2_red(self) -> float:
        """χ²/dof of the fit of ln τ (NaN without degrees of freedom); meaningful with ``tau_err``."""
        return self.chi2 / self.dof if self.dof > 0 else float("nan")


def fit_tau_xi(T, tau, xi, tau_err=None) -> TauXiFit:
    r"""Fit Eq. (12), :math:`\tau_\alpha = \tau_\infty e^{\mu\xi/T}`, linear in x = ξ/T for ln τ.

    The paper writes τα = e^{μξ/T} and remarks that the fitted intercept is of order one; the
    prefactor τ∞ is fitted here. Errors of ξ are not propagated (they enter through x).
    """
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)
    tau = float_array(tau, "tau", ndim=1, positive=True)
    xi = float_array(xi, "xi", ndim=1, positive=True)
    same_length("T", T, "tau", tau)
    same_length("T", T, "xi", xi)
    tau_err = optional_errors(tau_err, tau, "tau_err")
    sigma = None if tau_err is None else tau_err / tau
    fit = linear_lsq(np.column_stack([np.ones(T.size), xi / T]), np.log(tau), sigma)
    (ln_t, mu), (ln_t_err, mu_err) = fit.coef, fit.err
    t_inf = float(np.exp(ln_t))
    return TauXiFit(mu=float(mu), mu_err=float(mu_err), tau_inf=t_inf, tau_inf_err=float(t_inf * ln_t_err),
                    r2=fit.r2, residuals=fit.residuals, cov=fit.cov, chi2=fit.chi2, dof=fit.dof)


def predict_tau(T, xi, mu: float, tau_inf: float = 1.0) -> np.ndarray:
    """τα = τ∞ exp(μ ξ/T) (Eq. 12)."""
    T = float_array(T, "T", positive=True)
    xi = float_array(xi, "xi", positive=True)
    mu = real_scalar(mu, "mu")
    tau_inf = real_scalar(tau_inf, "tau_inf", positive=True)
    return tau_inf * np.exp(mu * xi / T)


def predict_log_tau_err(fit: TauXiFit, T, xi, xi_err=None, scale_by_chi2: bool = False) -> np.ndarray:
    r"""One-sigma error of :math:`\ln\tau_\alpha = \ln\tau_\infty + \mu\xi/T` predicted with ``fit``.

    Propagates the covariance of (ln τ∞, μ) and, if given, an error ``xi_err`` of ξ (σ):
    :math:`\sigma^2 = (1, x)\,\mathrm{cov}\,(1, x)^T + (\mu\,\sigma_\xi/T)^2` with x = ξ/T.
    With ``scale_by_chi2`` the covariance is first multiplied by max(1, χ²/dof) (the Birge ratio),
    so that a fit that is poor within its error bars does not give over-confident predictions.
    """
    if fit.cov is None:
        raise ValueError("fit carries no covariance (make it with fit_tau_xi)")
    T = float_array(T, "T", positive=True)
    xi = float_array(xi, "xi", positive=True)
    x = xi / T
    cov = fit.cov * (max(1.0, fit.chi2_red) if scale_by_chi2 and np.isfinite(fit.chi2_red) else 1.0)
    var = cov[0, 0] + 2 * x * cov[0, 1] + x**2 * cov[1, 1]
    if xi_err is not None:
        xe = float_array(xi_err, "xi_err")
        var = var + (fit.mu * xe / T) ** 2
    return np.sqrt(var)


# --------------------------------------------------------------------------------------------------
# The paper's tabulated values (data/paper/, for comparison only)
# --------------------------------------------------------------------------------------------------
def _read_paper_csv(name: str) -> list[dict]:
    from .. import data_path

    with open(data_path("paper", name), newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def paper_hump_table() -> dict:
    """Table II of the paper: ``{"i": …, "H": …, "g": …}`` arrays (H in ε; reference i = 2)."""
    rows = _read_paper_csv("hump_quasispecies_table2.csv")
    return {"i": np.array([int(r["i"]) for r in rows]), "H": np.array([float(r["H_i"]) for r in rows]),
            "g": np.array([float(r["g_i"]) for r in rows])}


def paper_binary_gaussian() -> dict:
    """Eq. (8) of the paper: ``{"small": {"n_mp", "sigma2"}, "large": {…}}``."""
    return {r["central"]: {"n_mp": float(r["n_mp"]), "sigma2": float(r["sigma2"])}
            for r in _read_paper_csv("binary3d_quasispecies_gaussfit.csv")}
