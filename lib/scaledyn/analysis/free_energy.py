r"""Free energies of quasi-species: inversion of the concentrations, the linear law
F_i(T) = H_i − T ln g_i, and the Gaussian model of the degeneracies.

Boué, Lerner, Procaccia & Zylberg (arXiv:0905.3962), §III.C. Energies in ε, temperatures in ε/k_B.
Within a group g of species (one central type, a fraction :math:`x_g` of the particles)

.. math:: \langle C_i\rangle(T) = x_g\,\frac{e^{-F_i(T)/T}}{\sum_{j\in g} e^{-F_j(T)/T}},\qquad
          F_i(T) = H_i - T\ln g_i ,

(Eqs. 5–7, 9–10), so the inversion is :math:`F_i - F_{\mathrm{ref}(g)} = -T\ln(C_i/C_{\mathrm{ref}(g)})`.
Because every group is normalised separately, the free energies are fixed only up to **one constant
per group** (one reference species per central type). :func:`fit_species` does inversion and
straight-line fits in one call, with a reduced χ² per species as the test of linearity;
:meth:`SpeciesFit.sample` carries the fit errors into extrapolations.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np


from .._checks import float_array, nonnegative_errors, optional_errors, real_scalar, same_length
from .species import SpeciesScheme, reference_species
from .stats import chi2_probability, linear_lsq

__all__ = [
    "free_energies", "concentrations_from_free_energies", "model_concentrations", "change_reference",
    "SpeciesFit", "fit_free_energies", "fit_species", "Linearity", "linearity",
    "gaussian_degeneracy", "GaussianFit", "fit_gaussian_degeneracy",
    "paper_hump_table", "paper_binary_gaussian",
]


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
        C_err = nonnegative_errors(C_err, C, "C_err")
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


def change_reference(H, g, scheme: SpeciesScheme, reference) -> tuple[np.ndarray, np.ndarray]:
    r"""Enthalpies and degeneracies measured from other reference species, one per central type:
    :math:`H_i - H_{\mathrm{ref}(g)}` and :math:`g_i/g_{\mathrm{ref}(g)}` (ε, dimensionless). No
    concentration of Eq. (7) changes (the factor cancels within each group); use it to set the
    source's Table II (reference i = 2) beside a fit made with another reference.
    """
    H = float_array(H, "H", ndim=1)
    g = float_array(g, "g", ndim=1, positive=True)
    if H.size != scheme.n_species or g.size != scheme.n_species:
        raise ValueError(f"H and g must have {scheme.n_species} entries, got {H.size} and {g.size}")
    refs = _references(scheme, reference)
    ref_of = refs[np.searchsorted(np.unique(scheme.central_type), scheme.central_type)]
    return H - H[ref_of], g / g[ref_of]


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
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)  # a line through one point is undefined
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


@dataclass(frozen=True)
class Linearity:
    """Result of :func:`linearity`, over the fitted species (``labels``: every species except the
    references and those without a fit): ``r2``, ``chi2_red``, ``dof`` and ``p_value`` (upper tail of
    χ² with dof = points − 2) per species; ``straight`` (p ≥ ``p_min``: a straight line within the
    error bars); the largest normalised residual ``max_pull`` = max |residual/σ_F|, with its species
    ``max_pull_label`` and temperature row ``max_pull_row``."""

    labels: tuple
    r2: np.ndarray
    chi2_red: np.ndarray
    dof: np.ndarray
    p_value: np.ndarray
    straight: np.ndarray
    max_pull: float
    max_pull_label: str
    max_pull_row: int
    p_min: float

    @property
    def straight_labels(self) -> tuple:
        return tuple(lab for lab, ok in zip(self.labels, self.straight) if ok)

    @property
    def curved_labels(self) -> tuple:
        return tuple(lab for lab, ok in zip(self.labels, self.straight) if not ok)

    @property
    def r2_worst(self) -> str:
        """The species with the smallest R²."""
        return self.labels[int(np.argmin(self.r2))]

    @property
    def chi2_worst(self) -> str:
        """The species with the largest reduced χ²."""
        return self.labels[int(np.argmax(self.chi2_red))]


def linearity(fit: SpeciesFit, F_err, scheme: SpeciesScheme, reference, p_min: float = 0.01) -> Linearity:
    r"""Are the free energies straight lines in T within their error bars (the source's validation
    of the up-scaling, Eqs. 6 and 10)?

    ``fit`` from :func:`fit_species` (weighted, so that ``chi2_red`` exists), ``F_err`` (n_T,
    n_species) the errors it was fitted with, ``reference`` its reference labels (left out: F ≡ 0).
    A species is straight when its χ² = χ²_red·dof has an upper-tail probability ≥ ``p_min`` (0 <
    p_min < 1). Raises ``ValueError`` if no species has a weighted fit with a degree of freedom.
    """
    if not isinstance(fit, SpeciesFit):
        raise TypeError(f"fit must be a SpeciesFit, got {type(fit).__name__}")
    F_err = float_array(F_err, "F_err", ndim=2, finite=False)
    if F_err.shape != fit.residuals.shape or fit.H.size != scheme.n_species:
        raise ValueError(f"F_err must have the shape of the fit's residuals {fit.residuals.shape} and the scheme "
                         f"{scheme.n_species} species")
    p_min = real_scalar(p_min, "p_min", positive=True)
    if p_min >= 1:
        raise ValueError(f"p_min must be in (0, 1), got {p_min}")
    refs = set(_references(scheme, reference).tolist())
    chi2 = np.full(scheme.n_species, np.nan) if fit.chi2_red is None else fit.chi2_red
    free = np.array([k not in refs for k in range(scheme.n_species)]) & np.isfinite(chi2)
    if not free.any():
        raise ValueError("fit has no weighted species fit with a degree of freedom (give F_err to fit_species)")
    dof = fit.n_points[free] - 2
    p = chi2_probability(chi2[free] * dof, dof)
    with np.errstate(invalid="ignore", divide="ignore"):
        pulls = np.abs(fit.residuals / F_err)[:, free]
    pulls = np.where(np.isfinite(pulls), pulls, -np.inf)
    row, col = np.unravel_index(int(np.argmax(pulls)), pulls.shape)
    labels = tuple(lab for lab, k in zip(scheme.labels, free) if k)
    return Linearity(labels=labels, r2=fit.r2[free], chi2_red=chi2[free], dof=dof, p_value=p, straight=p >= p_min,
                     max_pull=float(pulls[row, col]), max_pull_label=labels[col], max_pull_row=int(row), p_min=p_min)


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
