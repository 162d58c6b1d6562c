r"""The correlation length ξ of the liquid species and the law τα = τ∞ exp(μξ/T).

Boué, Lerner, Procaccia & Zylberg (arXiv:0905.3962), Eqs. (11)–(13): with the liquid concentration
:math:`C_\mathrm{liq}` (:func:`.species.liquid_concentration`) and the number density ρ,
:math:`\xi=(\rho C_\mathrm{liq})^{-1/d}` (σ) and :math:`\tau_\alpha=\tau_\infty e^{\mu\xi/T}`
(Eq. 12 with a fitted prefactor). :func:`predict_log_tau_err` carries the fit errors into
extrapolations.

**ξ of the species model.** With enthalpies and degeneracies (Eq. 7), :func:`model_xi` gives
ξ(T) = [ρ C_liq(T)]^{-1/d} at any temperature, and :func:`model_activation_energy` the effective
activation energy of Eq. (12), :math:`E_\mathrm{eff}=d\ln\tau_\alpha/d(1/T)`, in closed form: with
β = 1/T and :math:`d\ln C_i/d\beta = -(H_i-\langle H\rangle_g)`,

.. math:: E_\mathrm{eff} = \mu\,\xi\Big[1+\frac{\beta}{d}\,
          \frac{\sum_{i\in\mathrm{liq}}C_i\,(H_i-\langle H\rangle_{g(i)})}{C_\mathrm{liq}}\Big],
          \qquad \langle H\rangle_g=\frac{1}{x_g}\sum_{j\in g}C_jH_j .

Arrhenius would be a constant :math:`E_\mathrm{eff}`; it grows on cooling as the liquid species,
whose enthalpies lie above their group's mean, die out.

**A dynamic length beside ξ.** The peak of the four-point susceptibility χ4* counts the particles that
relax together; :func:`chi4_length` turns it into the size of a region that holds them,
:math:`\ell_4=(\chi_4^*/\rho)^{1/d}`, and :func:`length_growth` compares how two lengths grow over
the same temperatures: the slope s of ln ℓ against ln ξ (s = 1: in step) and the growth factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import dimension, float_array, optional_errors, real_scalar, same_length
from .free_energy import model_concentrations
from .species import SpeciesScheme, liquid_concentration
from .stats import linear_lsq

__all__ = ["correlation_length", "TauXiFit", "fit_tau_xi", "predict_tau", "predict_log_tau_err", "model_xi",
           "model_activation_energy", "chi4_length", "LengthGrowth", "length_growth"]


def correlation_length(rho, c_liq, dim: int, c_liq_err=None):
    r"""Eqs. (11)/(13): :math:`\xi = (\rho\,C_\mathrm{liq})^{-1/d}` in σ (ρ in σ⁻ᵈ).

    With ``c_liq_err``, also :math:`\sigma_\xi = \xi\,\sigma_C/(d\,C_\mathrm{liq})`. ``rho`` may be a
    scalar or an array matching ``c_liq`` (NPT runs have a density per temperature).
    """
    dim = dimension(dim)
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


def model_xi(T, H, g, scheme: SpeciesScheme, rho=1.0) -> np.ndarray:
    r"""ξ(T) = [ρ C_liq(T)]^{−1/d} (σ) of the species model: C_liq from Eq. (7) with enthalpies ``H``
    (ε) and degeneracies ``g`` (one per species of ``scheme``, whose liquid flags define the sum),
    ``rho`` the number density (σ⁻ᵈ; a scalar or one per temperature; 1 gives ρ^{1/d} ξ)."""
    if not isinstance(scheme, SpeciesScheme):
        raise TypeError(f"scheme must be a SpeciesScheme, got {type(scheme).__name__}")
    if not scheme.liquid.any():
        raise ValueError(f"scheme {scheme.name} has no liquid species")
    C = model_concentrations(T, H, g, scheme)
    return correlation_length(rho, liquid_concentration(C, scheme), scheme.dim)


def model_activation_energy(T, H, g, scheme: SpeciesScheme, mu: float, rho=1.0) -> np.ndarray:
    r"""Effective activation energy :math:`E_\mathrm{eff}(T)=d\ln\tau_\alpha/d(1/T)` (ε) of Eq. (12)
    with ξ from the species model (module doc, closed form); ``mu`` in ε/σ, ``rho`` a constant
    number density (σ⁻ᵈ), other arguments as in :func:`model_xi`."""
    mu = real_scalar(mu, "mu")
    rho = real_scalar(rho, "rho", positive=True)
    xi = model_xi(T, H, g, scheme, rho)
    T = float_array(T, "T", ndim=1, positive=True)
    C = model_concentrations(T, H, g, scheme)
    H = np.asarray(H, float)
    group = np.searchsorted(np.unique(scheme.central_type), scheme.central_type)
    mean_H = np.stack([C[:, group == k] @ H[group == k] / x for k, x in enumerate(scheme.fractions)], axis=1)
    excess = (C * (H - mean_H[:, group]))[:, scheme.liquid].sum(axis=1) / liquid_concentration(C, scheme)
    return mu * xi * (1.0 + excess / (scheme.dim * T))


def chi4_length(chi4_peak, rho, dim: int, chi4_peak_err=None):
    r""":math:`\ell_4=(\chi_4^*/\rho)^{1/d}` (σ): the size of a region holding the χ4* particles that relax
    together (χ4* in particles, ρ in σ⁻ᵈ). With ``chi4_peak_err``, also
    :math:`\sigma_\ell=\ell\,\sigma_\chi/(d\,\chi_4^*)`. Returns ℓ, or (ℓ, σ_ℓ)."""
    d = dimension(dim)
    chi = float_array(chi4_peak, "chi4_peak", positive=True)
    rho = float_array(rho, "rho", positive=True)
    ell = (chi / rho) ** (1.0 / d)
    if chi4_peak_err is None:
        return ell
    err = float_array(chi4_peak_err, "chi4_peak_err")
    if err.shape != chi.shape or np.any(err < 0):
        raise ValueError("chi4_peak_err must be non-negative and shaped like chi4_peak")
    return ell, ell * err / (d * chi)


@dataclass(frozen=True)
class LengthGrowth:
    """Result of :func:`length_growth`: ``slope`` ± ``slope_err`` of ln ℓ against ln ξ, the growth factors
    ``xi_factor`` and ``ell_factor`` (coldest over hottest), their ratio ``ell_factor / xi_factor``,
    and ``chi2_red`` of the straight line (NaN without errors or degrees of freedom)."""

    slope: float
    slope_err: float
    xi_factor: float
    ell_factor: float
    chi2_red: float


def length_growth(T, xi, ell, ell_err=None) -> LengthGrowth:
    """How ``ell`` grows against ``xi`` over temperatures ``T``: a straight line ln ℓ = a + s ln ξ
    (weighted by σ_ℓ/ℓ when ``ell_err`` is given) and the growth factors from the hottest to the
    coldest temperature. Needs ≥ 3 points."""
    T = float_array(T, "T", ndim=1, positive=True, min_size=3)
    xi = float_array(xi, "xi", ndim=1, positive=True)
    ell = float_array(ell, "ell", ndim=1, positive=True)
    same_length("T", T, "xi", xi)
    same_length("T", T, "ell", ell)
    sig = None if ell_err is None else optional_errors(ell_err, ell, "ell_err") / ell
    X = np.column_stack([np.ones(T.size), np.log(xi)])
    fit = linear_lsq(X, np.log(ell), sig)
    cold, hot = int(np.argmin(T)), int(np.argmax(T))
    chi2_red = fit.chi2 / fit.dof if (sig is not None and fit.dof > 0) else float("nan")
    return LengthGrowth(slope=float(fit.coef[1]), slope_err=float(fit.err[1]), xi_factor=float(xi[cold] / xi[hot]),
                        ell_factor=float(ell[cold] / ell[hot]), chi2_red=float(chi2_red))
