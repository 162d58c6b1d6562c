r"""The Hamilton–Jacobi equation of a scale Hamiltonian: characteristics and stationary solutions.

For :math:`H(g,p) = p\,\beta(g) + F(g)` (one coupling, :math:`\tau = \ln\mu/\mu_0`) and
:math:`p = \partial S/\partial g` the Hamilton–Jacobi (HJ) equation is the *linear* first-order PDE

.. math::  \frac{\partial S}{\partial\tau} + \beta(g)\frac{\partial S}{\partial g} + F(g) = 0 .

Its characteristics are the RG trajectories :math:`dg/d\tau = \beta(g)`, along which
:math:`dS/d\tau = -F(g)`. Hence, for initial data :math:`S(g, 0) = S_0(g)`,

.. math::  S(g,\tau) = S_0\big(\Phi_{-\tau}(g)\big) - \int_0^{\tau} F\big(\Phi_{s-\tau}(g)\big)\,ds,

where :math:`\Phi_s` is the flow map of β. Separable solutions :math:`S = W(g) - E\tau` carry a
constant *scale energy* :math:`E` (the value of :math:`H` on every characteristic) and
:math:`W(g) = \int^g (E - F)/\beta\,dg'`; the "stationary" assumption :math:`\partial S/\partial\tau = 0`
is the case :math:`E = 0`: :math:`S(g) = -\int^g F/\beta\,dg'`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import integrate as _integrate

from ._checks import check_callable, real_array, real_scalar, sympy_expr

__all__ = [
    "reduced_action",
    "stationary_action",
    "stationary_action_sympy",
    "solve_characteristics",
    "linear_closed_form",
    "hj_residual",
    "log_singularity_coefficient",
]


def _beta_zero_between(beta, a, b, n=401):
    """A zero of beta in the closed interval [a, b] (grid sign change or exact zero), or None."""
    x = np.linspace(a, b, n)
    f = np.array([float(beta(v)) for v in x])
    if not np.all(np.isfinite(f)):
        bad = x[~np.isfinite(f)][0]
        return float(bad)
    idx = np.nonzero((f[:-1] * f[1:] <= 0.0))[0]
    if f[-1] == 0.0:
        return float(x[-1])
    return None if idx.size == 0 else float(x[idx[0]])


def reduced_action(beta: Callable, F: Callable, g, g_ref: float, energy: float = 0.0, *, rtol: float = 1e-12):
    r"""Characteristic function :math:`W(g) = \int_{g_\mathrm{ref}}^{g} \frac{E - F(g')}{\beta(g')}\,dg'`
    by adaptive quadrature (:func:`scipy.integrate.quad`).

    ``g`` may be an array. A :class:`ValueError` is raised if β vanishes (a fixed point) or is
    not finite between ``g_ref`` and a requested ``g``: :math:`W` is singular there (logarithmically
    at a simple zero of β with :math:`F \ne E`).
    """
    check_callable(beta, "beta")
    check_callable(F, "F")
    g_arr = real_array(g, "g")
    g_ref = real_scalar(g_ref, "g_ref")
    energy = real_scalar(energy, "energy")
    rtol = real_scalar(rtol, "rtol", positive=True)
    integrand = lambda x: (energy - float(F(x))) / float(beta(x))  # noqa: E731
    out = np.empty(g_arr.shape)
    for idx, gv in np.ndenumerate(g_arr):
        if gv == g_ref:
            out[idx] = 0.0
            continue
        lo, hi = min(gv, g_ref), max(gv, g_ref)
        z = _beta_zero_between(beta, lo, hi)
        if z is not None:
            raise ValueError(
                f"beta vanishes (or is not finite) near g={z:.6g}, between g_ref={g_ref:.6g} and g={gv:.6g}: "
                "the integral (E - F)/beta is singular at a fixed point; choose g_ref on the same side"
            )
        val, _ = _integrate.quad(integrand, g_ref, gv, epsabs=0.0, epsrel=rtol, limit=200)
        out[idx] = val
    return out if out.ndim else float(out)


def stationary_action(beta: Callable, F: Callable, g, g_ref: float, **kwargs):
    r"""Stationary HJ solution :math:`S(g) = -\int_{g_\mathrm{ref}}^{g} F/\beta\,dg'` (:math:`E = 0`)."""
    return reduced_action(beta, F, g, g_ref, 0.0, **kwargs)


def stationary_action_sympy(beta, F, g):
    r"""Symbolic :math:`S(g) = -\int F/\beta\,dg` (no constant) with sympy; ``beta``, ``F`` are
    sympy expressions (or numbers) in the symbol ``g``. Strings are refused with :class:`TypeError`:
    parsing them would run :func:`sympy.sympify`, which executes Python code."""
    import sympy as sp

    if not isinstance(g, sp.Symbol):
        raise TypeError(f"g must be a sympy Symbol, got {type(g).__name__}")
    beta, F = sympy_expr(beta, "beta"), sympy_expr(F, "F")
    if beta == 0:
        raise ValueError("beta must not be identically zero")
    return sp.simplify(sp.integrate(sp.simplify(-F / beta), g))


class _NotFinite(ArithmeticError):
    """beta or F returned NaN/inf inside the integrator (turned into ValueError by the caller)."""


def _finite_values(f: Callable, G: np.ndarray, name: str, s: float) -> np.ndarray:
    val = np.broadcast_to(np.asarray(f(G), dtype=float), G.shape)
    if not np.all(np.isfinite(val)):
        bad = G[~np.isfinite(val)][0]
        raise _NotFinite(f"{name} is not finite at g={bad:.6g} (reached at |tau|={s:.4g} along a characteristic)")
    return val


def solve_characteristics(
    beta: Callable, F: Callable, S0: Callable, g, tau, *, rtol: float = 1e-11, atol: float = 1e-13
) -> np.ndarray:
    r"""Solve the HJ equation :math:`\partial_\tau S + \beta\,\partial_g S + F = 0` by characteristics.

    For every grid point ``g`` and scale ``tau`` the characteristic through :math:`(g,\tau)` is
    traced back to :math:`\tau = 0` (DOP853), accumulating :math:`\int F\,ds`;
    :math:`S(g,\tau) = S_0(g_\text{foot}) - \int_0^\tau F`.

    ``beta``, ``F`` and ``S0`` must accept NumPy arrays (elementwise). ``g``: 1-D grid; ``tau``:
    a scalar or a 1-D array of scales (any sign). Returns shape ``(len(tau), len(g))`` (or
    ``(len(g),)`` for a scalar ``tau``). A characteristic that leaves the domain where β, F or
    S0 are finite raises :class:`ValueError`, as does a β or F that returns NaN or inf anywhere a
    characteristic goes (checked at every evaluation, so the integrator never stalls on a NaN).
    """
    for f, name in ((beta, "beta"), (F, "F"), (S0, "S0")):
        check_callable(f, name)
    g = real_array(g, "g")
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"g must be a non-empty 1-D array, got shape {g.shape}")
    tau_arr = real_array(tau, "tau")
    scalar = tau_arr.ndim == 0
    taus = np.atleast_1d(tau_arr)
    if taus.ndim != 1:
        raise ValueError("tau must be a scalar or a 1-D array")
    rtol = real_scalar(rtol, "rtol", positive=True)
    atol = real_scalar(atol, "atol", positive=True)
    n = g.size
    out = np.empty((taus.size, n))
    for sign in (1.0, -1.0):
        sel = np.nonzero(taus * sign > 0)[0]
        if sel.size == 0:
            continue
        s_eval = np.abs(taus[sel])
        order = np.argsort(s_eval)

        # backward along the flow: y = (G, I), dG/ds = -sign*beta(G), dI/ds = sign*F(G)
        def rhs(s, y, sign=sign):
            G = y[:n]
            b, f = _finite_values(beta, G, "beta", s), _finite_values(F, G, "F", s)
            return np.concatenate([-sign * b, sign * f])

        try:
            sol = _integrate.solve_ivp(
                rhs, (0.0, float(s_eval.max())), np.concatenate([g, np.zeros(n)]), method="DOP853",
                t_eval=s_eval[order], rtol=rtol, atol=atol,
            )
        except _NotFinite as exc:
            # a NaN in the right-hand side makes DOP853 shrink its step for ever: stop at the first one
            raise ValueError(str(exc)) from None
        if not sol.success or not np.all(np.isfinite(sol.y)):
            raise ValueError(f"a characteristic left the domain of beta/F before |tau|={s_eval.max():.4g}: {sol.message}")
        for k, j in enumerate(sel[order]):
            foot = sol.y[:n, k]
            integral = sol.y[n:, k]
            out[j] = np.asarray(S0(foot), dtype=float) - integral
    zero = np.nonzero(taus == 0)[0]
    for j in zero:
        out[j] = np.asarray(S0(g), dtype=float)
    if not np.all(np.isfinite(out)):
        raise ValueError("S0 is not finite at some foot point of the characteristics")
    return out[0] if scalar else out


def linear_closed_form(g, tau, lam: float, A: float, S0: Callable | None = None):
    r"""Closed form for :math:`\beta = \lambda g`, :math:`F = A/g`:

    .. math::  S(g,\tau) = S_0(g e^{-\lambda\tau}) - \frac{A}{\lambda g}\,(e^{\lambda\tau} - 1).

    With the default :math:`S_0(g) = A/(\lambda g)` (the stationary solution) this returns
    :math:`A/(\lambda g)` for every τ. Broadcasts ``g`` against ``tau``.
    """
    lam = real_scalar(lam, "lam", nonzero=True)
    A = real_scalar(A, "A")
    g = real_array(g, "g")
    tau = real_array(tau, "tau")
    if np.any(g == 0):
        raise ValueError("g must be non-zero (F = A/g is singular at g = 0)")
    if S0 is None:
        S0 = lambda x: A / (lam * x)  # noqa: E731
    check_callable(S0, "S0")
    return np.asarray(S0(g * np.exp(-lam * tau)), dtype=float) - A / (lam * g) * np.expm1(lam * tau)


def hj_residual(S, g, tau, beta: Callable, F: Callable) -> np.ndarray:
    r"""Residual :math:`\partial_\tau S + \beta\,\partial_g S + F` of a tabulated solution
    ``S[i, j] = S(tau[i], g[j])`` by second-order finite differences (:func:`numpy.gradient`)."""
    check_callable(beta, "beta")
    check_callable(F, "F")
    S = real_array(S, "S")
    g = real_array(g, "g")
    tau = real_array(tau, "tau")
    if g.ndim != 1 or tau.ndim != 1 or S.shape != (tau.size, g.size):
        raise ValueError(f"S must have shape (len(tau), len(g)) = ({tau.size}, {g.size}), got {S.shape}")
    if tau.size < 3 or g.size < 3:
        raise ValueError("need at least 3 points in g and in tau")
    dS_dtau, dS_dg = np.gradient(S, tau, g, edge_order=2)
    return dS_dtau + np.asarray(beta(g), dtype=float)[None, :] * dS_dg + np.asarray(F(g), dtype=float)[None, :]


def log_singularity_coefficient(beta_prime_star: float, F_star: float, energy: float = 0.0) -> float:
    r"""Near a simple fixed point :math:`g^*` (:math:`\beta \approx \beta'(g^*)(g-g^*)`),
    :math:`W(g) \approx c\,\ln|g - g^*|` with :math:`c = (E - F(g^*))/\beta'(g^*)`."""
    b = real_scalar(beta_prime_star, "beta_prime_star", nonzero=True)
    F_star = real_scalar(F_star, "F_star")
    energy = real_scalar(energy, "energy")
    return (energy - F_star) / b
