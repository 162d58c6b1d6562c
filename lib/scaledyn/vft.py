r"""Vogel–Fulcher–Tammann law, two three-parameter rivals, fits with uncertainties, fragility.

Everything here works with the decimal logarithm of a relaxation time :math:`\tau` (seconds) or a
viscosity :math:`\eta` (Pa s), because that is the quantity measured over many decades with a roughly
constant *relative* error. Temperatures are in kelvin.

Laws (all three have three parameters, so they can be compared on equal terms):

* VFT :cite:`vogel1921,fulcher1925,tammann1926`

  .. math:: \log_{10}\tau = \log_{10}\tau_0 + \frac{D\,T_0}{\ln 10\,(T-T_0)},
     \qquad \text{params } (\log_{10}\tau_0,\ D,\ T_0).

* MYEGA (Mauro, Yue, Ellison, Gupta, Allan 2009), written for a level :math:`L_g=\log_{10}\tau(T_g)`
  (2 for :math:`\tau_g = 100` s, 12 for :math:`\eta_g = 10^{12}` Pa s):

  .. math:: \log_{10}\tau = L_\infty + (L_g-L_\infty)\,x\,
     \exp\!\Big[\Big(\frac{m}{L_g-L_\infty}-1\Big)(x-1)\Big],\qquad x = T_g/T,
     \qquad \text{params } (L_\infty,\ T_g,\ m).

* Avramov–Milchev (1988), same conventions:

  .. math:: \log_{10}\tau = L_\infty + (L_g-L_\infty)\,x^{\,m/(L_g-L_\infty)},
     \qquad \text{params } (L_\infty,\ T_g,\ m).

Derived quantities (analytic, no finite differences):

* kinetic fragility (steepness index) :math:`m = \mathrm{d}\log_{10}\tau/\mathrm{d}(T_g/T)|_{T=T_g}`;
* apparent activation energy :math:`E_\mathrm{eff}(T) = k_B\,\mathrm{d}\ln\tau/\mathrm{d}(1/T)`,
  returned as :math:`E_\mathrm{eff}/k_B` in kelvin (multiply by :data:`K_B_EV` for eV);
* the VFT strength–fragility relation :math:`m = m_\min + m_\min^2\ln 10/D` with
  :math:`m_\min = \log_{10}(\tau_g/\tau_0)` (16 for 100 s and :math:`10^{-14}` s).

Fits use :func:`scipy.optimize.curve_fit` on :math:`\log_{10}\tau`; the covariance it returns gives
standard errors, propagated to :math:`T_g` and :math:`m` by the delta method.

Length (~640 lines): the three laws, their fits and the derived quantities (T_g, m, E_eff with
delta-method errors) are one table of laws that every function indexes (``MODELS``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

from ._checks import real_array, real_scalar

__all__ = [
    "LN10",
    "K_B_EV",
    "MODELS",
    "TauLaw",
    "FitResult",
    "FitWarning",
    "m_min",
    "vft_log10_tau",
    "vft_tau",
    "myega_log10_tau",
    "am_log10_tau",
    "vft_tg",
    "vft_fragility",
    "vft_activation_energy",
    "vft_barrier",
    "fragility_from_strength",
    "strength_from_fragility",
    "t0_from_fragility",
    "vft_from_tg_m",
    "activation_energy",
    "fit",
    "fit_all",
    "linearised_vft_fit",
]

#: ln 10.
LN10 = math.log(10.0)
#: Boltzmann constant in eV/K (CODATA 2018, exact in the SI).
K_B_EV = 8.617333262e-5


# --------------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------------
def _temperatures(T, name: str = "T") -> np.ndarray:
    T = real_array(T, name)
    if np.any(T <= 0.0):
        raise ValueError(f"{name} must be positive (kelvin)")
    return T


def _check_above_t0(T: np.ndarray, T0: float, name: str = "T") -> None:
    if np.any(T <= T0):
        raise ValueError(f"{name} must be above the Vogel temperature T0 = {T0:g} K (got min {T.min():g} K)")


# --------------------------------------------------------------------------------------------------
# the laws
# --------------------------------------------------------------------------------------------------
def m_min(tau_g: float = 100.0, tau0: float = 1e-14) -> float:
    r""":math:`m_\min = \log_{10}(\tau_g/\tau_0)`, the fragility of an Arrhenius liquid (16 by default)."""
    tau_g = real_scalar(tau_g, "tau_g", positive=True)
    tau0 = real_scalar(tau0, "tau0", positive=True)
    if tau_g <= tau0:
        raise ValueError(f"tau_g must exceed tau0, got tau_g={tau_g:g}, tau0={tau0:g}")
    return math.log10(tau_g / tau0)


def vft_log10_tau(T, log10_tau0: float, D: float, T0: float) -> np.ndarray:
    r""":math:`\log_{10}\tau = \log_{10}\tau_0 + D T_0/[\ln 10\,(T-T_0)]` for T > T0 (K)."""
    T = _temperatures(T)
    log10_tau0 = real_scalar(log10_tau0, "log10_tau0")
    D = real_scalar(D, "D", positive=True)
    T0 = real_scalar(T0, "T0")
    if T0 < 0:
        raise ValueError(f"T0 must be non-negative (kelvin), got {T0!r}")
    _check_above_t0(T, T0)
    return log10_tau0 + D * T0 / (LN10 * (T - T0))


def vft_tau(T, tau0: float, D: float, T0: float) -> np.ndarray:
    r""":math:`\tau = \tau_0\exp[D T_0/(T-T_0)]` (units of ``tau0``); T, T0 in K, D dimensionless."""
    tau0 = real_scalar(tau0, "tau0", positive=True)
    return 10.0 ** vft_log10_tau(T, math.log10(tau0), D, T0)


def _myega_raw(T, L_inf, Tg, m, level):
    x = Tg / T
    delta = level - L_inf
    return L_inf + delta * x * np.exp((m / delta - 1.0) * (x - 1.0))


def _am_raw(T, L_inf, Tg, m, level):
    x = Tg / T
    delta = level - L_inf
    return L_inf + delta * x ** (m / delta)


def _check_myega_am(L_inf, Tg, m, level):
    L_inf = real_scalar(L_inf, "log10_tau_inf")
    Tg = real_scalar(Tg, "Tg", positive=True)
    m = real_scalar(m, "m", positive=True)
    level = real_scalar(level, "level")
    if L_inf >= level:
        raise ValueError(f"log10_tau_inf must be below level = {level:g}, got {L_inf:g}")
    return L_inf, Tg, m, level


def myega_log10_tau(T, log10_tau_inf: float, Tg: float, m: float, level: float = 2.0) -> np.ndarray:
    r"""MYEGA law for :math:`\log_{10}\tau` with :math:`\log_{10}\tau(T_g)=` ``level``."""
    T = _temperatures(T)
    return _myega_raw(T, *_check_myega_am(log10_tau_inf, Tg, m, level))


def am_log10_tau(T, log10_tau_inf: float, Tg: float, m: float, level: float = 2.0) -> np.ndarray:
    r"""Avramov–Milchev law for :math:`\log_{10}\tau` with :math:`\log_{10}\tau(T_g)=` ``level``."""
    T = _temperatures(T)
    return _am_raw(T, *_check_myega_am(log10_tau_inf, Tg, m, level))


# --------------------------------------------------------------------------------------------------
# VFT: glass temperature, fragility, strength, activation energy
# --------------------------------------------------------------------------------------------------
def vft_tg(log10_tau0: float, D: float, T0: float, level: float = 2.0) -> float:
    r"""Temperature (K) where the VFT law reaches :math:`\log_{10}\tau =` ``level``.

    :math:`T_g = T_0 + D T_0 / [\ln 10\,(L_g - \log_{10}\tau_0)]`.
    """
    log10_tau0 = real_scalar(log10_tau0, "log10_tau0")
    D = real_scalar(D, "D", positive=True)
    T0 = real_scalar(T0, "T0", positive=True)
    level = real_scalar(level, "level")
    if level <= log10_tau0:
        raise ValueError(f"level must exceed log10_tau0 = {log10_tau0:g}, got {level:g}")
    return T0 + D * T0 / (LN10 * (level - log10_tau0))


def vft_fragility(log10_tau0: float, D: float, T0: float, level: float = 2.0) -> float:
    r"""Steepness index of a VFT liquid at the :math:`T_g` defined by ``level``.

    :math:`m = D T_0 T_g / [\ln 10\,(T_g-T_0)^2]`; equals :func:`fragility_from_strength` with
    :math:`m_\min = L_g - \log_{10}\tau_0`.
    """
    Tg = vft_tg(log10_tau0, D, T0, level)
    return D * T0 * Tg / (LN10 * (Tg - T0) ** 2)


def vft_activation_energy(T, D: float, T0: float) -> np.ndarray:
    r"""Apparent activation energy of VFT, :math:`E_\mathrm{eff}/k_B = D T_0 T^2/(T-T_0)^2` (K).

    This is :math:`\mathrm{d}\ln\tau/\mathrm{d}(1/T)`, the local Arrhenius slope; it is *not* the
    barrier :math:`k_B T\ln(\tau/\tau_0)` of :func:`vft_barrier`.
    """
    T = _temperatures(T)
    D = real_scalar(D, "D", positive=True)
    T0 = real_scalar(T0, "T0", positive=True)
    _check_above_t0(T, T0)
    return D * T0 * T**2 / (T - T0) ** 2


def vft_barrier(T, D: float, T0: float) -> np.ndarray:
    r"""Barrier :math:`E_b/k_B = T\ln(\tau/\tau_0) = D T_0 T/(T-T_0)` (K) of the Arrhenius reading."""
    T = _temperatures(T)
    D = real_scalar(D, "D", positive=True)
    T0 = real_scalar(T0, "T0", positive=True)
    _check_above_t0(T, T0)
    return D * T0 * T / (T - T0)


def fragility_from_strength(D, mmin: float = 16.0):
    r""":math:`m = m_\min + m_\min^2\ln 10 / D` (VFT with fixed :math:`\tau_0` and :math:`\tau_g`)."""
    D = real_array(D, "D")
    mmin = real_scalar(mmin, "mmin", positive=True)
    if np.any(D <= 0):
        raise ValueError("D must be positive")
    out = mmin + mmin**2 * LN10 / D
    return float(out) if out.ndim == 0 else out


def strength_from_fragility(m, mmin: float = 16.0):
    r""":math:`D = m_\min^2\ln 10/(m - m_\min)`, the inverse of :func:`fragility_from_strength`."""
    m = real_array(m, "m")
    mmin = real_scalar(mmin, "mmin", positive=True)
    if np.any(m <= mmin):
        raise ValueError(f"m must exceed mmin = {mmin:g} for a VFT liquid with these tau0, tau_g")
    out = mmin**2 * LN10 / (m - mmin)
    return float(out) if out.ndim == 0 else out


def t0_from_fragility(Tg, m, mmin: float = 16.0):
    r""":math:`T_0 = T_g\,(1 - m_\min/m)` (K), the VFT temperature implied by :math:`T_g` and m."""
    Tg = real_array(Tg, "Tg")
    m = real_array(m, "m")
    mmin = real_scalar(mmin, "mmin", positive=True)
    if np.any(Tg <= 0):
        raise ValueError("Tg must be positive (kelvin)")
    if np.any(m <= mmin):
        raise ValueError(f"m must exceed mmin = {mmin:g}")
    out = Tg * (1.0 - mmin / m)
    return float(out) if out.ndim == 0 else out


def vft_from_tg_m(Tg: float, m: float, tau0: float = 1e-14, tau_g: float = 100.0) -> dict:
    r"""VFT parameters (log10_tau0, D, T0) that put :math:`\tau(T_g)=\tau_g` with steepness m.

    A *parameterisation* of a liquid by its (Tg, m), not a fit: τ0 is imposed.
    """
    mm = m_min(tau_g, tau0)
    return {
        "log10_tau0": math.log10(tau0),
        "D": float(strength_from_fragility(m, mm)),
        "T0": float(t0_from_fragility(Tg, m, mm)),
    }


# --------------------------------------------------------------------------------------------------
# model registry: law, derivative d log10 tau / d(1/T), Tg and m from parameters
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TauLaw:
    """A three-parameter law for log10 τ(T) with its analytic derivative and fragility.

    (Named ``TauLaw``, not ``Model``, so it is not confused with the simulation models of
    :mod:`scaledyn.md`.)
    """

    name: str
    params: tuple[str, ...]
    log10: Callable  # (T, *p, level) -> log10 tau
    dlog10_dinvT: Callable  # (T, *p, level) -> d log10 tau / d(1/T)  [K]
    tg: Callable  # (*p, level) -> Tg
    fragility: Callable  # (*p, level) -> m


def _vft_raw(T, L0, D, T0, level):
    return L0 + D * T0 / (LN10 * (T - T0))


def _vft_dinv(T, L0, D, T0, level):
    return D * T0 * T**2 / (LN10 * (T - T0) ** 2)


def _myega_dinv(T, L_inf, Tg, m, level):
    x = Tg / T
    delta = level - L_inf
    c = m / delta - 1.0
    return Tg * delta * np.exp(c * (x - 1.0)) * (1.0 + c * x)


def _am_dinv(T, L_inf, Tg, m, level):
    x = Tg / T
    delta = level - L_inf
    a = m / delta
    return Tg * m * x ** (a - 1.0)


MODELS: dict[str, TauLaw] = {
    "vft": TauLaw(
        "vft",
        ("log10_tau0", "D", "T0"),
        _vft_raw,
        _vft_dinv,
        lambda L0, D, T0, level: T0 + D * T0 / (LN10 * (level - L0)),
        lambda L0, D, T0, level: (level - L0) + (level - L0) ** 2 * LN10 / D,
    ),
    "myega": TauLaw(
        "myega", ("log10_tau_inf", "Tg", "m"), _myega_raw, _myega_dinv,
        lambda L, Tg, m, level: Tg, lambda L, Tg, m, level: m,
    ),
    "am": TauLaw(
        "am", ("log10_tau_inf", "Tg", "m"), _am_raw, _am_dinv,
        lambda L, Tg, m, level: Tg, lambda L, Tg, m, level: m,
    ),
}


def _model(name: str) -> TauLaw:
    if not isinstance(name, str) or name.lower() not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    return MODELS[name.lower()]


# --------------------------------------------------------------------------------------------------
# fits
# --------------------------------------------------------------------------------------------------
class FitWarning(UserWarning):
    """A fit converged to a parameter on its bound, or to a degenerate covariance: the law does not
    describe the data, and the reported standard errors of those parameters are not meaningful."""


def _check_grows_on_cooling(T, y, sigma) -> None:
    r"""Refuse data that do not slow down on cooling.

    All three laws have :math:`\mathrm{d}\log_{10}\tau/\mathrm{d}(1/T) > 0`. A weighted straight line
    of :math:`\log_{10}\tau` against :math:`1/T` whose slope is not positive by at least two standard
    errors (faster on cooling, flat, or noise) has no such description; without this check the fit
    returns parameters pinned at their bounds with zero errors.
    """
    x = 1.0 / T
    w = np.ones_like(T) if sigma is None else 1.0 / sigma**2
    X = np.column_stack([x, np.ones_like(x)])
    XtW = X.T * w
    cov = np.linalg.inv(XtW @ X)
    coef = cov @ (XtW @ y)
    r = y - X @ coef
    dof = T.size - 2
    scale = float(r @ (w * r)) / dof if sigma is None else 1.0
    se = math.sqrt(max(cov[0, 0] * scale, 0.0))
    if not coef[0] > 2.0 * se:
        raise ValueError(
            f"log10_tau must grow on cooling: the slope d log10(tau)/d(1/T) of a straight line is "
            f"{coef[0]:.4g} K +- {se:.2g} K, not positive by two standard errors (data that are flat, "
            "faster on cooling or pure noise); no VFT, MYEGA or Avramov-Milchev law describes them"
        )


def _pinned(popt, lower, upper, names, tols) -> list[str]:
    out = []
    for v, lo, hi, name, tol in zip(popt, lower, upper, names, tols):
        if (np.isfinite(lo) and v - lo <= tol) or (np.isfinite(hi) and hi - v <= tol):
            out.append(name)
    return out


@dataclass
class FitResult:
    """Result of a least-squares fit of one law to log10 τ(T).

    Attributes: ``model``; ``params`` and ``stderr`` (dicts keyed by parameter name); ``cov``
    (covariance matrix); ``level`` (log10 τ at Tg); ``n`` points; ``rss`` (sum of squared
    residuals in decades², weighted by 1/σ² if σ was given); ``residuals`` (data − model, decades);
    ``aic``, ``bic``; ``tg``, ``tg_err``, ``fragility``, ``fragility_err`` (delta method);
    ``pinned``: parameters that ended on a bound or with a degenerate error (their errors are NaN,
    and a :class:`FitWarning` was issued).
    """

    model: str
    params: dict
    stderr: dict
    cov: np.ndarray
    level: float
    n: int
    rss: float
    residuals: np.ndarray
    aic: float
    bic: float
    sigma_given: bool
    tg: float = field(default=float("nan"))
    tg_err: float = field(default=float("nan"))
    fragility: float = field(default=float("nan"))
    fragility_err: float = field(default=float("nan"))
    pinned: tuple = ()

    @property
    def p(self) -> tuple:
        return tuple(self.params[k] for k in MODELS[self.model].params)

    def log10_tau(self, T) -> np.ndarray:
        """The fitted law evaluated at temperatures T (K)."""
        T = _temperatures(T)
        if self.model == "vft":
            _check_above_t0(T, self.params["T0"])
        return MODELS[self.model].log10(T, *self.p, self.level)

    def activation_energy(self, T) -> np.ndarray:
        r""":math:`E_\mathrm{eff}/k_B = \ln 10\; \mathrm{d}\log_{10}\tau/\mathrm{d}(1/T)` in K (analytic)."""
        return activation_energy(self.model, T, *self.p, level=self.level)

    @property
    def rms(self) -> float:
        """Root-mean-square residual in decades."""
        return float(np.sqrt(np.mean(self.residuals**2)))


def activation_energy(model: str, T, *params, level: float = 2.0) -> np.ndarray:
    r"""Apparent activation energy :math:`E_\mathrm{eff}/k_B = \mathrm{d}\ln\tau/\mathrm{d}(1/T)` (K).

    ``params`` are the model's three parameters in the order of ``MODELS[model].params``.
    """
    mod = _model(model)
    if len(params) != len(mod.params):
        raise ValueError(f"params must be {len(mod.params)} values {mod.params}, got {len(params)}")
    T = _temperatures(T)
    p = [real_scalar(v, name) for v, name in zip(params, mod.params)]
    if mod.name == "vft":
        real_scalar(p[1], "D", positive=True)
        _check_above_t0(T, p[2])
    else:
        _check_myega_am(p[0], p[1], p[2], level)
    return LN10 * mod.dlog10_dinvT(T, *p, level)


def _validate_data(T, y, name_y: str, sigma):
    T = _temperatures(T)
    y = real_array(y, name_y)
    if T.ndim != 1:
        raise ValueError(f"T must be one-dimensional, got shape {T.shape}")
    if y.shape != T.shape:
        raise ValueError(f"{name_y} must have the same shape as T, got {y.shape} and {T.shape}")
    if sigma is not None:
        sigma = real_array(sigma, "sigma")
        if sigma.ndim == 0:
            sigma = np.full_like(T, float(sigma))
        if sigma.shape != T.shape:
            raise ValueError(f"sigma must be a scalar or have the shape of T, got {sigma.shape}")
        if np.any(sigma <= 0):
            raise ValueError("sigma must be positive (decades)")
    if T.size < 4:
        raise ValueError(f"T must hold at least 4 points for a three-parameter fit, got {T.size}")
    if np.unique(T).size < 4:
        raise ValueError("T must hold at least 4 distinct temperatures")
    return T, y, sigma


def _vft_start(T, y):
    """Starting point: linear least squares in (log10 tau0, B) on a grid of T0 below min(T).

    For each trial T0, log10 tau = a + b/(T - T0) is linear in (a, b); the normal equations are
    solved for all trial T0 at once and the T0 with the smallest residual (and b > 0) wins.
    """
    tmin = T.min()
    T0s = np.linspace(0.0, tmin * 0.995, 200)[1:, None]          # (k, 1)
    x = 1.0 / (T[None, :] - T0s)                                   # (k, n)
    n = T.size
    sx, sxx = x.sum(1), (x * x).sum(1)
    sy, sxy = y.sum(), (x * y[None, :]).sum(1)
    det = n * sxx - sx**2
    b = (n * sxy - sx * sy) / det
    a = (sy - b * sx) / n
    rss = ((y[None, :] - a[:, None] - b[:, None] * x) ** 2).sum(1)
    rss[b <= 0] = np.inf
    if not np.any(np.isfinite(rss)):  # data decreasing with cooling: no VFT solution; harmless start
        return np.array([y.min() - 1.0, 10.0, 0.5 * tmin])
    i = int(np.argmin(rss))
    T0 = float(T0s[i, 0])
    return np.array([a[i], b[i] * LN10 / T0, T0])


def fit(T, tau=None, *, log10_tau=None, model: str = "vft", sigma=None, level: float = 2.0,
        p0=None) -> FitResult:
    r"""Fit ``model`` ("vft", "myega" or "am") to relaxation-time (or viscosity) data.

    Parameters
    ----------
    T : array (K), one-dimensional, positive.
    tau : array of positive values (s, or Pa s for a viscosity); or give ``log10_tau`` directly.
    sigma : scalar or array, standard deviation of log10 τ (decades). If omitted, the residual
        variance sets the scale of the covariance (``absolute_sigma=False``).
    level : log10 τ at the glass temperature (2 for 100 s; 12 for a viscosity of 10¹² Pa s).
    p0 : optional starting parameters in the order of ``MODELS[model].params``.

    Raises :class:`ValueError` for data that do not grow on cooling (see
    :func:`_check_grows_on_cooling`); issues a :class:`FitWarning` (and reports NaN errors) when a
    parameter ends on its bound or its error is degenerate.

    Returns a :class:`FitResult`. AIC and BIC are the Gaussian-likelihood forms: with σ given,
    :math:`\chi^2 + 2k` and :math:`\chi^2 + k\ln n`; without, :math:`n\ln(\mathrm{RSS}/n) + 2k` and
    :math:`n\ln(\mathrm{RSS}/n) + k\ln n` (k = 3). Only differences between models fitted to the same
    data mean anything.
    """
    mod = _model(model)
    if (tau is None) == (log10_tau is None):
        raise ValueError("give exactly one of tau or log10_tau")
    if tau is not None:
        tau_arr = real_array(tau, "tau")
        if np.any(tau_arr <= 0):
            raise ValueError("tau must be positive")
        T, y, sigma = _validate_data(T, np.log10(tau_arr), "tau", sigma)
    else:
        T, y, sigma = _validate_data(T, log10_tau, "log10_tau", sigma)
    level = real_scalar(level, "level")
    _check_grows_on_cooling(T, y, sigma)

    if mod.name == "vft":
        lower = [-np.inf, 1e-6, 0.0]
        upper = [np.inf, np.inf, T.min() * (1 - 1e-9)]
    else:
        lower = [-np.inf, 1e-9, 1e-6]
        upper = [level - 1e-6, np.inf, np.inf]
    if p0 is not None:
        guess = real_array(p0, "p0")
        if guess.shape != (3,):
            raise ValueError(f"p0 must hold 3 values {mod.params}, got shape {guess.shape}")
    elif mod.name == "vft":
        guess = _vft_start(T, y)
    else:  # start from the Tg and m of the best VFT on a T0 grid
        L0, D0, T00 = _vft_start(T, y)
        if level > L0:
            tg0 = T00 + D0 * T00 / (LN10 * (level - L0))
            m0 = (level - L0) + (level - L0) ** 2 * LN10 / D0
        else:
            tg0, m0 = T.min(), 50.0
        guess = np.array([min(L0, level - 1.0), tg0, max(m0, 1.0)])
    guess = np.clip(guess, lower, upper)

    def f(TT, a, b, c):
        return mod.log10(TT, a, b, c, level)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                popt, pcov = curve_fit(
                    f, T, y, p0=guess, sigma=sigma, absolute_sigma=sigma is not None,
                    bounds=(lower, upper), method="trf", x_scale="jac", max_nfev=20000,
                    ftol=1e-14, xtol=1e-14, gtol=1e-14,
                )
            except RuntimeError as exc:
                raise RuntimeError(
                    f"the {mod.name} fit did not converge ({exc}); the law probably does not describe these "
                    "data (e.g. Arrhenius or sub-Arrhenius data run VFT to T0 -> 0, D -> inf)"
                ) from exc
    resid = y - f(T, *popt)
    n, k = T.size, 3
    if sigma is not None:
        chi2 = float(np.sum((resid / sigma) ** 2))
        aic, bic = chi2 + 2 * k, chi2 + k * math.log(n)
        rss = chi2
    else:
        rss = float(resid @ resid)
        ll = n * math.log(max(rss, 1e-300) / n)
        aic, bic = ll + 2 * k, ll + k * math.log(n)
    perr = np.sqrt(np.clip(np.diag(pcov), 0, None))
    # a parameter on its bound or with a zero/undefined error: the curvature there says nothing
    tols = [1e-6 * max(1.0, abs(v)) for v in popt]
    if mod.name == "vft":  # T0 -> 0 with D -> inf is the Arrhenius limit: treat T0 < 1e-3 min(T) as on its bound
        tols[2] = 1e-3 * T.min()
    pinned = _pinned(popt, lower, upper, mod.params, tols)
    degenerate = [k for k, e in zip(mod.params, perr) if not (np.isfinite(e) and e > 0)]
    suspect = sorted(set(pinned) | set(degenerate), key=mod.params.index)
    if suspect:
        perr = np.where(np.isin(mod.params, suspect), np.nan, perr)
        warnings.warn(
            f"{mod.name} fit: parameter(s) {suspect} ended on a bound of the fit ({pinned}) or with a zero "
            "or undefined standard error; the law does not describe these data there, and their standard "
            "errors (and those of Tg and m) are set to NaN",
            FitWarning, stacklevel=2,
        )
    res = FitResult(
        model=mod.name,
        params=dict(zip(mod.params, map(float, popt))),
        stderr=dict(zip(mod.params, map(float, perr))),
        cov=pcov, level=level, n=n, rss=rss, residuals=resid, aic=aic, bic=bic,
        sigma_given=sigma is not None,
    )
    # delta method for Tg and m (analytic gradients for VFT; MYEGA/AM have them as parameters)
    res.tg = float(mod.tg(*popt, level))
    res.fragility = float(mod.fragility(*popt, level))
    if mod.name == "vft":
        L0, D, T0 = popt
        dL = level - L0
        g_tg = np.array([D * T0 / (LN10 * dL**2), T0 / (LN10 * dL), 1.0 + D / (LN10 * dL)])
        g_m = np.array([-1.0 - 2.0 * dL * LN10 / D, -(dL**2) * LN10 / D**2, 0.0])
    else:
        g_tg = np.array([0.0, 1.0, 0.0])
        g_m = np.array([0.0, 0.0, 1.0])
    res.tg_err = float(np.sqrt(max(g_tg @ pcov @ g_tg, 0.0))) if not suspect else float("nan")
    res.fragility_err = float(np.sqrt(max(g_m @ pcov @ g_m, 0.0))) if not suspect else float("nan")
    res.pinned = tuple(suspect)
    return res


def fit_all(T, tau=None, *, log10_tau=None, sigma=None, level: float = 2.0) -> dict[str, FitResult]:
    """Fit the three laws to the same data; returns ``{"vft": ..., "myega": ..., "am": ...}``."""
    return {name: fit(T, tau, log10_tau=log10_tau, model=name, sigma=sigma, level=level) for name in MODELS}


def linearised_vft_fit(T, tau, T0: float) -> dict:
    r"""Straight-line fit of :math:`\ln\tau` against :math:`1/(T-T_0)` for a *given* T0.

    Returns slope (= :math:`D T_0`, K) and intercept (= :math:`\ln\tau_0`) with standard errors and
    :math:`R^2`. With T0 known this is the seed's panel (c); it tests nothing if the data were
    generated from the VFT law with that same T0.
    """
    T = _temperatures(T)
    tau = real_array(tau, "tau")
    if tau.shape != T.shape:
        raise ValueError(f"tau must have the same shape as T, got {tau.shape} and {T.shape}")
    if np.any(tau <= 0):
        raise ValueError("tau must be positive")
    T0 = real_scalar(T0, "T0")
    _check_above_t0(T, T0)
    if T.size < 3:
        raise ValueError("T must hold at least 3 points")
    x = 1.0 / (T - T0)
    y = np.log(tau)
    X = np.column_stack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ coef
    dof = T.size - 2
    s2 = float(r @ r) / dof
    cov = s2 * np.linalg.inv(X.T @ X)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {
        "slope": float(coef[0]), "slope_err": float(math.sqrt(max(cov[0, 0], 0.0))),
        "intercept": float(coef[1]), "intercept_err": float(math.sqrt(max(cov[1, 1], 0.0))),
        "r2": 1.0 - float(r @ r) / ss_tot,
    }
