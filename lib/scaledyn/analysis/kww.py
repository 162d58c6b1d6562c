r"""The Kohlrausch–Williams–Watts (stretched-exponential) fit of the α decay.

.. math::

    F_s(k,t) \approx A\,\exp\!\big[-(t/\tau_K)^{\beta}\big],

with amplitude A (the non-ergodicity plateau the α decay starts from), KWW time :math:`\tau_K` (τ)
and stretching exponent β (1: exponential; smaller: a broader distribution of relaxation times).
The mean relaxation time is :math:`\langle\tau\rangle = \tau_K\,\Gamma(1/\beta)/\beta`.

**Window.** Only the α decay is fitted: lags t > 0 from the first F_s below ``upper`` (default 0.6,
under the plateau, F_s ≈ 0.7–0.8 at the campaigns' k for the coldest states) until F_s first falls
below ``lower`` (default 0.05, above the noise of the tail). At least ``min_points`` (default 5) lags.

**Fit.** Least squares in (A, ln τ_K, β) with bounds 0 ≤ A ≤ 1 (F_s never exceeds 1; a hot liquid
without plateau would otherwise trade A > 1 against a short τ_K) and 0.05 ≤ β ≤ 3 (compressed
decays allowed). A parameter at its bound has no meaningful error bar.

**Errors.** Without ``chunks``: the standard errors of :func:`scipy.optimize.curve_fit` (weights
1/``fs_err``² if given, unweighted otherwise), scaled by the reduced χ² (``absolute_sigma=False``),
which is right for independent noise of unknown size. The points of one F_s curve are correlated
(shared origins), so for a simulated curve pass ``chunks`` (the F_s of contiguous chunks of origins,
:attr:`.isf.ISFResult.fs_chunks`): the errors are then the scatter of the parameters fitted on the
chunk curves, std (ddof = 1) over √n, as for τα (:meth:`.isf.ISFResult.tau_alpha`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit
from scipy.special import gamma

from .._checks import float_array, int_scalar, real_scalar
from .time_origins import lag_curve

__all__ = ["KWWFit", "kww", "fit_kww"]


def kww(t, A: float, tau_K: float, beta: float) -> np.ndarray:
    r""":math:`A\exp[-(t/\tau_K)^\beta]` at times ``t`` ≥ 0 (any shape)."""
    return A * np.exp(-np.power(np.asarray(t, float) / tau_K, beta))


@dataclass(frozen=True)
class KWWFit:
    """Result of :func:`fit_kww`: ``A``, ``tau_K`` (time unit of ``t``), ``beta`` and their standard
    errors ``*_err``; the window ``t_min``–``t_max`` with ``n_points`` lags; ``chi2_red`` (reduced χ²
    of the fit of the whole curve; with unit weights, the residual variance); ``reason`` (None when
    fitted, else why not: the parameters are then NaN)."""

    A: float
    A_err: float
    tau_K: float
    tau_K_err: float
    beta: float
    beta_err: float
    t_min: float
    t_max: float
    n_points: int
    chi2_red: float
    reason: str | None = None

    @property
    def mean_tau(self) -> float:
        r""":math:`\langle\tau\rangle = \tau_K\Gamma(1/\beta)/\beta`, the time integral of the normalised decay."""
        return float(self.tau_K * gamma(1.0 / self.beta) / self.beta)


def fit_kww(t, fs, fs_err=None, *, chunks=None, upper: float = 0.6, lower: float = 0.05,
            min_points: int = 5) -> KWWFit:
    """Fit A exp[−(t/τ_K)^β] to the α decay of ``fs`` (window and errors: module docstring).

    ``t`` (n,) strictly increasing, ≥ 0; ``fs`` (n,) finite; ``fs_err`` (n,) > 0 (NaN: that lag is left out) or None;
    ``chunks`` (n_chunks, n) chunk curves (NaN where a chunk lacks the lag) or None;
    0 < ``lower`` < ``upper`` ≤ 1. No window of ``min_points`` lags: NaN parameters and a ``reason``.
    """
    t, fs = lag_curve(t, fs)
    if fs_err is not None:
        fs_err = float_array(fs_err, "fs_err", ndim=1, finite=False)
        if fs_err.shape != fs.shape or np.any(fs_err <= 0) or np.any(np.isinf(fs_err)):
            raise ValueError(f"fs_err must be > 0 (or NaN: lag left out) with shape {fs.shape}")
    upper = real_scalar(upper, "upper", positive=True)
    lower = real_scalar(lower, "lower", positive=True)
    if not lower < upper <= 1.0:
        raise ValueError(f"need 0 < lower < upper <= 1, got lower={lower}, upper={upper}")
    min_points = int_scalar(min_points, "min_points", minimum=3)
    if chunks is not None:
        chunks = float_array(chunks, "chunks", ndim=2, finite=False)
        if chunks.shape[1] != t.size:
            raise ValueError(f"chunks must have {t.size} columns (one per lag), got shape {chunks.shape}")

    win = _window(t, fs, upper, lower)
    if fs_err is not None:
        win = win[np.isfinite(fs_err[win])]
    if win.size < min_points:
        return KWWFit(*[np.nan] * 8, n_points=int(win.size), chi2_red=np.nan,
                      reason=f"no alpha decay to fit: {win.size} lag(s) with {lower:g} < F_s < {upper:g} "
                             f"(need {min_points})")
    sig = None if fs_err is None else fs_err[win]
    params, cov, chi2_red = _fit(t[win], fs[win], sig)
    if params is None:
        return KWWFit(*[np.nan] * 8, n_points=int(win.size), chi2_red=np.nan, reason="the fit did not converge")
    errors = np.sqrt(np.diag(cov))
    if chunks is not None:
        fits = [_fit(t[win][np.isfinite(row[win])], row[win][np.isfinite(row[win])], None, params)[0]
                for row in chunks if np.isfinite(row[win]).sum() >= min_points]
        fits = np.array([p for p in fits if p is not None])
        errors = np.std(fits, axis=0, ddof=1) / np.sqrt(len(fits)) if len(fits) >= 2 else np.full(3, np.nan)
    (A, tau, beta), (A_err, tau_err, beta_err) = params, errors
    return KWWFit(A=float(A), A_err=float(A_err), tau_K=float(tau), tau_K_err=float(tau_err), beta=float(beta),
                  beta_err=float(beta_err), t_min=float(t[win[0]]), t_max=float(t[win[-1]]),
                  n_points=int(win.size), chi2_red=float(chi2_red))


def _window(t, fs, upper, lower) -> np.ndarray:
    """Indices of the lags t > 0 from the first F_s < upper up to (not including) the first F_s ≤ lower."""
    below = np.flatnonzero((fs < upper) & (t > 0))
    if below.size == 0:
        return below
    start = below[0]
    gone = np.flatnonzero(fs[start:] <= lower)
    stop = start + (gone[0] if gone.size else fs.size - start)
    return np.arange(start, stop)


def _fit(t, y, sigma, p0=None):
    """(A, τ_K, β), their covariance and the reduced χ² of a KWW fit, fitted in (A, ln τ_K, β); None
    for the parameters if the fit fails. Start: A = 1, τ_K where y = e⁻¹·max(y) is interpolated, β = 0.7."""
    if p0 is None:
        level = np.exp(-1.0) * min(1.0, y.max())
        tau0 = np.interp(-level, -y, t) if y.min() < level else t[-1]
        p0 = (min(1.0, y.max() * 1.05), tau0, 0.7)
    model = lambda x, A, ln_tau, beta: kww(x, A, np.exp(ln_tau), beta)  # noqa: E731
    try:
        (A, ln_tau, beta), cov = curve_fit(model, t, y, p0=(p0[0], np.log(p0[1]), p0[2]), sigma=sigma,
                                           absolute_sigma=False, bounds=([0.0, -np.inf, 0.05], [1.0, np.inf, 3.0]),
                                           maxfev=5000)
    except (RuntimeError, ValueError):
        return None, None, np.nan
    resid = (y - model(t, A, ln_tau, beta)) / (1.0 if sigma is None else sigma)
    dof = max(t.size - 3, 1)
    jac = np.diag([1.0, np.exp(ln_tau), 1.0])  # d(A, tau, beta)/d(A, ln tau, beta)
    return np.array([A, np.exp(ln_tau), beta]), jac @ cov @ jac, float(np.sum(resid**2) / dof)
