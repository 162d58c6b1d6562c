r"""The O(N) :math:`\phi^4` model in :math:`d = 4-\varepsilon`: β-functions, the Wilson (r, u) flow,
ε-expansion exponents.

Normalisation (minimal subtraction). Action
:math:`\int d^dx\,[\tfrac12(\partial\phi)^2 + \tfrac12 m^2\phi^2 + \tfrac{\lambda}{4!}(\phi^2)^2]`,
dimensionless coupling :math:`g = \lambda\mu^{-\varepsilon}/(16\pi^2)`, scale
:math:`\tau = \ln(\mu/\mu_0)` (increasing towards the ultraviolet). Then

.. math::  \beta(g) = -\varepsilon g + \frac{N+8}{3} g^2 - \frac{3N+14}{3} g^3 + O(g^4),

so the one-loop form :math:`\beta = -\varepsilon g + A g^2` has :math:`A = (N+8)/3` (:math:`A=3` for
Ising, :math:`N=1`). The anomalous dimensions used for the exponents are
:math:`\gamma_\phi(g) = (N+2)g^2/36` and :math:`\gamma_{m^2}(g) = (N+2)g/3 - 5(N+2)g^2/18`, with
:math:`\eta = 2\gamma_\phi(g^*)`, :math:`1/\nu = 2 - \gamma_{m^2}(g^*)` and
:math:`\omega = \beta'(g^*)`; expanding in ε they reproduce the standard
:math:`O(\varepsilon^2)` results (Wilson & Fisher 1972; Wilson & Kogut 1974).

The Wilson momentum-shell flow (cutoff :math:`\Lambda=1`, :math:`\ell = \ln b`, increasing towards
the *infrared*) at one loop is

.. math::  \frac{dr}{d\ell} = 2r + \frac{N+2}{6}\frac{K_d u}{1+r}, \qquad
           \frac{du}{d\ell} = \varepsilon u - \frac{N+8}{6}\frac{K_d u^2}{(1+r)^2},

with :math:`K_d = 2/[\Gamma(d/2)(4\pi)^{d/2}]`. The functions here work with :math:`v = K_d u`
(the eigenvalues do not depend on :math:`K_d`).

Length (~510 lines): the β-functions, the ε-series, the Wilson flow and the reference exponents they
are compared with belong to one model and one chapter.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate as _integrate

from . import flows
from ._checks import check_callable, int_scalar, real_array, real_scalar

__all__ = [
    "NU_3D_ISING",
    "NU_3D_ISING_ERR",
    "ETA_3D_ISING",
    "ETA_3D_ISING_ERR",
    "DELTA_EPS_PRIME_3D_ISING",
    "OMEGA_3D_ISING",
    "OMEGA_3D_ISING_ERR",
    "NU_2D_ISING",
    "ETA_2D_ISING",
    "beta_coefficients",
    "beta",
    "beta_prime",
    "fixed_points",
    "wilson_fisher_coupling",
    "wilson_fisher_series",
    "flow_closed_form",
    "landau_pole",
    "scale_hamiltonian",
    "momentum_at_fixed_point",
    "gamma_phi",
    "gamma_m2",
    "exponents_series",
    "exponents_at_fixed_point",
    "omega_pade",
    "one_loop_vertex_factor",
    "eta_series",
    "scaling_relations",
    "K_d",
    "wilson_rhs",
    "wilson_jacobian",
    "wilson_fixed_point",
    "wilson_exponents",
    "wilson_flow",
    "wilson_critical_r",
    "wilson_critical_line",
]

#: 3D Ising exponents from the conformal bootstrap (Kos, Poland, Simmons-Duffin & Vichi 2016).
NU_3D_ISING = 0.629971
NU_3D_ISING_ERR = 0.000004
ETA_3D_ISING = 0.0362978
ETA_3D_ISING_ERR = 0.0000020
#: 3D Ising correction-to-scaling exponent ω = Δ_ε' − 3, with Δ_ε' = 3.82968(23) the dimension of the
#: second Z2-even scalar ε' (φ⁴ at the fixed point): Simmons-Duffin, JHEP 03 (2017) 086,
#: arXiv:1612.08471, Table 2. That error is non-rigorous (the paper's caption), unlike ν's and η's.
DELTA_EPS_PRIME_3D_ISING = 3.82968
OMEGA_3D_ISING = DELTA_EPS_PRIME_3D_ISING - 3.0
OMEGA_3D_ISING_ERR = 0.00023
#: Exact 2D Ising exponents (Onsager 1944): ν = 1, η = 1/4 (ε = 2).
NU_2D_ISING = 1.0
ETA_2D_ISING = 0.25


def _check_N(N) -> int:
    return int_scalar(N, "N", minimum=1)


def _check_loops(loops) -> int:
    loops = int_scalar(loops, "loops")
    if loops not in (1, 2):
        raise ValueError(f"loops must be 1 or 2, got {loops}")
    return loops


def _check_eps(eps, *, allow_zero: bool = False) -> float:
    """ε = 4 − d must lie in (0, 4): a dimension between 0 and 4, where the Wilson–Fisher point exists
    at positive coupling; ε ≤ 0 (d ≥ 4) has only the Gaussian point and ε ≥ 4 no dimension at all.
    ``allow_zero`` admits ε = 0 (d = 4) where a series is simply evaluated at its mean-field end."""
    eps = real_scalar(eps, "eps")
    if not (0.0 < eps < 4.0 or (allow_zero and eps == 0.0)):
        interval = "[0, 4)" if allow_zero else "(0, 4)"
        raise ValueError(f"eps = 4 - d must lie in {interval}, got {eps}")
    return eps


def _check_g(g, name="g"):
    return real_array(g, name)


def beta_coefficients(N: int = 1):
    r"""The coefficients :math:`(a, b) = ((N+8)/3, (3N+14)/3)` of :math:`\beta = -\varepsilon g + a g^2 - b g^3`."""
    N = _check_N(N)
    return (N + 8) / 3.0, (3 * N + 14) / 3.0


def beta(g, eps: float, N: int = 1, loops: int = 1):
    r"""The MS β-function :math:`\beta(g)` of the O(N) model at one or two loops (``g`` may be an array)."""
    g = _check_g(g)
    eps = _check_eps(eps)
    a, b = beta_coefficients(N)
    loops = _check_loops(loops)
    out = -eps * g + a * g**2
    if loops == 2:
        out = out - b * g**3
    return out


def beta_prime(g, eps: float, N: int = 1, loops: int = 1):
    r""":math:`\beta'(g)`."""
    g = _check_g(g)
    eps = _check_eps(eps)
    a, b = beta_coefficients(N)
    loops = _check_loops(loops)
    out = -eps + 2 * a * g
    if loops == 2:
        out = out - 3 * b * g**2
    return out


def fixed_points(eps: float, N: int = 1, loops: int = 1):
    r"""Gaussian and Wilson–Fisher couplings ``(0, g*)`` (the WF root continuously connected to 0 at ε=0)."""
    return 0.0, wilson_fisher_coupling(eps, N, loops)


def wilson_fisher_coupling(eps: float, N: int = 1, loops: int = 1) -> float:
    r"""The Wilson–Fisher coupling, the exact root of the truncated β.

    One loop: :math:`g^* = 3\varepsilon/(N+8)`. Two loops: the smaller root of
    :math:`-\varepsilon + a g - b g^2 = 0`, i.e. :math:`g^* = [a - \sqrt{a^2 - 4b\varepsilon}]/(2b)`;
    it exists only for :math:`\varepsilon \le a^2/(4b)` (ValueError beyond).
    """
    eps = _check_eps(eps)
    a, b = beta_coefficients(N)
    loops = _check_loops(loops)
    if loops == 1:
        return eps / a
    disc = a * a - 4.0 * b * eps
    if disc < 0:
        raise ValueError(f"eps={eps} is too large: the two-loop beta has no real Wilson-Fisher root (eps <= {a * a / (4 * b):.4g})")
    return 2.0 * eps / (a + math.sqrt(disc))  # = (a - sqrt(disc)) / (2b), without cancellation


def wilson_fisher_series(eps: float, N: int = 1, order: int = 2) -> float:
    r""":math:`g^* = 3\varepsilon/(N+8) + 9(3N+14)\varepsilon^2/(N+8)^3` truncated at ``order`` (1 or 2)."""
    eps = _check_eps(eps)
    N = _check_N(N)
    order = _check_loops(order)
    out = 3 * eps / (N + 8)
    if order == 2:
        out += 9 * (3 * N + 14) * eps**2 / (N + 8) ** 3
    return out


def flow_closed_form(g0: float, tau, eps: float, A: float = 3.0):
    r"""Exact solution of the one-loop flow :math:`dg/d\tau = -\varepsilon g + A g^2`, :math:`g(0)=g_0`:

    .. math::  g(\tau) = \frac{1}{A/\varepsilon + (1/g_0 - A/\varepsilon)\,e^{\varepsilon\tau}}.

    ``eps`` must be non-zero; ``g0 = 0`` gives 0. Beyond a Landau pole the formula continues through
    infinity (see :func:`landau_pole`).
    """
    g0 = real_scalar(g0, "g0")
    eps = _check_eps(eps)
    A = real_scalar(A, "A")
    tau = _check_g(tau, "tau")
    if g0 == 0.0:
        return np.zeros_like(tau)
    return 1.0 / (A / eps + (1.0 / g0 - A / eps) * np.exp(eps * tau))


def landau_pole(g0: float, eps: float, A: float = 3.0) -> float:
    r"""Scale :math:`\tau_L` where the one-loop coupling started at ``g0`` diverges:
    :math:`e^{\varepsilon\tau_L} = (A/\varepsilon)/(A/\varepsilon - 1/g_0)`; ``inf`` if there is none."""
    g0 = real_scalar(g0, "g0")
    eps = _check_eps(eps)
    A = real_scalar(A, "A", positive=True)
    if g0 <= eps / A:
        return math.inf
    return math.log((A / eps) / (A / eps - 1.0 / g0)) / eps


def scale_hamiltonian(eps: float, A: float = 3.0, F=None, dF=None, *, N: int | None = None, loops: int = 1):
    r"""The scale Hamiltonian :math:`H = p\,\beta(g) + F(g)` of the φ⁴ flow, with the exact :math:`\beta'`.

    By default the one-loop :math:`\beta = -\varepsilon g + A g^2`; with ``N`` given, the O(N) β at
    ``loops`` loops (``A`` is then ignored).
    """
    eps = _check_eps(eps)
    A = real_scalar(A, "A")
    if F is not None:
        check_callable(F, "F")
    if dF is not None:
        check_callable(dF, "dF")
    if N is None:
        b = lambda g: -eps * g + A * g * g  # noqa: E731
        db = lambda g: -eps + 2 * A * g  # noqa: E731
    else:
        b = lambda g: beta(g, eps, N, loops)  # noqa: E731
        db = lambda g: beta_prime(g, eps, N, loops)  # noqa: E731
    return flows.ScaleHamiltonian(b, F, jac=db, dF=dF, dim=1)


def momentum_at_fixed_point(p0: float, tau, eps: float, A: float = 3.0, dF_star: float = 0.0):
    r"""Momentum on the Wilson–Fisher point :math:`g = g^* = \varepsilon/A` (one loop).

    There :math:`dp/d\tau = -\beta'(g^*)p - F'(g^*) = -\varepsilon p - F'(g^*)`, so
    :math:`p(\tau) = p_\infty + (p_0 - p_\infty)e^{-\varepsilon\tau}` with
    :math:`p_\infty = -F'(g^*)/\varepsilon`.
    """
    p0 = real_scalar(p0, "p0")
    eps = _check_eps(eps)
    real_scalar(A, "A")
    dF_star = real_scalar(dF_star, "dF_star")
    tau = _check_g(tau, "tau")
    p_inf = -dF_star / eps
    return p_inf + (p0 - p_inf) * np.exp(-eps * tau)


def gamma_phi(g, N: int = 1):
    r"""Field anomalous dimension :math:`\gamma_\phi(g) = (N+2)g^2/36` (two loops, MS)."""
    g = _check_g(g)
    N = _check_N(N)
    return (N + 2) * g**2 / 36.0


def gamma_m2(g, N: int = 1):
    r"""Mass anomalous dimension :math:`\gamma_{m^2}(g) = (N+2)g/3 - 5(N+2)g^2/18` (two loops, MS)."""
    g = _check_g(g)
    N = _check_N(N)
    return (N + 2) * g / 3.0 - 5.0 * (N + 2) * g**2 / 18.0


def exponents_series(eps: float, N: int = 1, order: int = 2) -> dict:
    r"""Strict ε-expansion of the exponents truncated at ``order`` (1 or 2).

    Returns a dict with ``inv_nu`` (:math:`1/\nu` series), ``nu`` (:math:`1/` that),
    ``nu_series`` (ν itself expanded: :math:`\tfrac12 + \tfrac{N+2}{4(N+8)}\varepsilon
    + \tfrac{(N+2)(N^2+23N+60)}{8(N+8)^3}\varepsilon^2`), ``eta`` and ``omega``.
    """
    eps = _check_eps(eps, allow_zero=True)  # eps = 0: the mean-field exponents
    N = _check_N(N)
    order = _check_loops(order)
    M = N + 8.0
    inv_nu = 2 - (N + 2) * eps / M
    nu_ser = 0.5 + (N + 2) * eps / (4 * M)
    eta = 0.0
    omega = eps
    if order == 2:
        inv_nu -= (N + 2) * (13 * N + 44) * eps**2 / (2 * M**3)
        nu_ser += (N + 2) * (N * N + 23 * N + 60) * eps**2 / (8 * M**3)
        eta = (N + 2) * eps**2 / (2 * M**2)
        omega -= 3 * (3 * N + 14) * eps**2 / M**2
    return {"inv_nu": inv_nu, "nu": 1.0 / inv_nu, "nu_series": nu_ser, "eta": eta, "omega": omega}


def exponents_at_fixed_point(eps: float, N: int = 1, loops: int = 2) -> dict:
    r"""Exponents from the anomalous dimensions evaluated at the *exact* root of the truncated β
    (not re-expanded in ε): :math:`1/\nu = 2-\gamma_{m^2}(g^*)`, :math:`\eta = 2\gamma_\phi(g^*)`,
    :math:`\omega = \beta'(g^*)`. At ``loops=1`` the :math:`g^2` terms are dropped."""
    loops = _check_loops(loops)
    gs = wilson_fisher_coupling(eps, N, loops)
    if loops == 1:
        inv_nu = 2 - (N + 2) * gs / 3.0
        eta = 0.0
    else:
        inv_nu = 2 - float(gamma_m2(gs, N))
        eta = 2 * float(gamma_phi(gs, N))
    omega = float(beta_prime(gs, eps, N, loops))
    return {"g_star": gs, "inv_nu": inv_nu, "nu": 1.0 / inv_nu, "eta": eta, "omega": omega}


def omega_pade(eps: float, N: int = 1) -> float:
    r"""[1/1] Padé approximant of the :math:`O(\varepsilon^2)` series of ω (:func:`exponents_series`),
    :math:`\omega \approx \varepsilon/[1 + 3(3N+14)\varepsilon/(N+8)^2]`; re-expanded it gives back
    :math:`\varepsilon - 3(3N+14)\varepsilon^2/(N+8)^2 + O(\varepsilon^3)`. A resummation guess with
    no error estimate of its own."""
    eps = _check_eps(eps, allow_zero=True)
    N = _check_N(N)
    return eps / (1.0 + 3 * (3 * N + 14) * eps / (N + 8.0) ** 2)


def one_loop_vertex_factor(N: int = 1) -> float:
    r"""Where :math:`(N+8)/3` comes from: the one-loop tensor algebra of the O(N) quartic vertex.

    With the symmetric vertex :math:`S_{ijkl} = (\delta_{ij}\delta_{kl} + \delta_{ik}\delta_{jl}
    + \delta_{il}\delta_{jk})/3` (:math:`S = 1` for N = 1), the one-loop correction to the vertex is
    the sum of the s, t and u channels, :math:`T_{ijkl} = \sum_{mn}(S_{ijmn}S_{mnkl} + S_{ikmn}S_{mnjl}
    + S_{ilmn}S_{mnjk})`, and it is proportional to :math:`S`: :math:`T = c\,S`. The factor c,
    computed here by contracting the tensors (:func:`numpy.einsum`) and projecting on S, is the
    coefficient of :math:`g^2` in the one-loop β, :math:`(N+8)/3`: the N comes from the closed index
    loop of one channel, the 8 from the other two channels and the open indices.
    """
    N = _check_N(N)
    d = np.eye(N)
    S = (np.einsum("ij,kl->ijkl", d, d) + np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)) / 3.0
    T = (np.einsum("ijmn,mnkl->ijkl", S, S) + np.einsum("ikmn,mnjl->ijkl", S, S)
         + np.einsum("ilmn,mnjk->ijkl", S, S))
    c = float(np.sum(T * S) / np.sum(S * S))
    if not np.allclose(T, c * S, atol=1e-12):  # T has no other tensor structure; guard the projection
        raise RuntimeError("one-loop vertex tensor is not proportional to the tree-level vertex")
    return c


def eta_series(eps: float, N: int = 1, order: int = 3) -> float:
    r""":math:`\eta` in the ε-expansion to :math:`O(\varepsilon^2)` or :math:`O(\varepsilon^3)` (``order``):

    .. math:: \eta = \frac{(N+2)\varepsilon^2}{2(N+8)^2}
              \Big[1 + \frac{-N^2 + 56N + 272}{4(N+8)^2}\,\varepsilon\Big] + O(\varepsilon^4)

    (Wilson 1972). ε = 0 (d = 4) gives the mean-field η = 0.
    """
    eps = _check_eps(eps, allow_zero=True)
    N = _check_N(N)
    if order not in (2, 3) or isinstance(order, bool):
        raise ValueError(f"order must be 2 or 3, got {order!r}")
    M = N + 8.0
    eta = (N + 2) * eps**2 / (2 * M**2)
    if order == 3:
        eta *= 1.0 + (-N * N + 56 * N + 272) * eps / (4 * M**2)
    return eta


def scaling_relations(nu: float, eta: float, d: float) -> dict:
    r"""The other exponents from ν and η by the scaling and hyperscaling relations:
    :math:`\gamma = \nu(2-\eta)` (Fisher), :math:`\alpha = 2 - d\nu` (Josephson),
    :math:`\beta = \nu(d-2+\eta)/2` and :math:`\delta = (d+2-\eta)/(d-2+\eta)`; d is the dimension."""
    nu = real_scalar(nu, "nu", positive=True)
    eta = real_scalar(eta, "eta")
    d = real_scalar(d, "d", positive=True)
    if not d - 2 + eta > 0:
        raise ValueError(f"d - 2 + eta must be positive for beta and delta, got d={d}, eta={eta}")
    return {"gamma": nu * (2 - eta), "alpha": 2 - d * nu, "beta": nu * (d - 2 + eta) / 2,
            "delta": (d + 2 - eta) / (d - 2 + eta)}


# --------------------------------------------------------------------------------------------
# Wilson momentum-shell (r, u) flow, one loop
# --------------------------------------------------------------------------------------------
def K_d(d: float) -> float:
    r""":math:`K_d = 2/[\Gamma(d/2)(4\pi)^{d/2}]` (:math:`K_4 = 1/(8\pi^2)`)."""
    d = real_scalar(d, "d", positive=True)
    return 2.0 / (math.gamma(d / 2) * (4 * math.pi) ** (d / 2))


def wilson_rhs(r, v, eps: float, N: int = 1):
    r"""Right-hand side :math:`(dr/d\ell, dv/d\ell)` of the one-loop Wilson flow, :math:`v = K_d u`."""
    r = _check_g(r, "r")
    v = _check_g(v, "v")
    eps = _check_eps(eps)
    N = _check_N(N)
    if np.any(r <= -1.0):
        raise ValueError("r must be > -1 (the shell propagator 1/(1+r) is singular)")
    dr = 2 * r + (N + 2) / 6.0 * v / (1 + r)
    dv = eps * v - (N + 8) / 6.0 * v**2 / (1 + r) ** 2
    return dr, dv


def wilson_fixed_point(eps: float, N: int = 1):
    r"""Wilson–Fisher point of the one-loop (r, v) flow, exactly:
    :math:`r^* = -(N+2)\varepsilon/[2(N+8)+(N+2)\varepsilon]`, :math:`v^* = 6\varepsilon(1+r^*)^2/(N+8)`."""
    eps = _check_eps(eps)
    N = _check_N(N)
    r = -(N + 2) * eps / (2 * (N + 8) + (N + 2) * eps)
    v = 6 * eps * (1 + r) ** 2 / (N + 8)
    return r, v


def wilson_jacobian(r: float, v: float, eps: float, N: int = 1) -> np.ndarray:
    r"""Jacobian :math:`\partial(\dot r,\dot v)/\partial(r,v)` of the one-loop Wilson flow."""
    r = real_scalar(r, "r")
    v = real_scalar(v, "v")
    eps = _check_eps(eps)
    N = _check_N(N)
    if r <= -1.0:
        raise ValueError("r must be > -1")
    a, c = (N + 2) / 6.0, (N + 8) / 6.0
    return np.array(
        [
            [2 - a * v / (1 + r) ** 2, a / (1 + r)],
            [2 * c * v**2 / (1 + r) ** 3, eps - 2 * c * v / (1 + r) ** 2],
        ]
    )


def wilson_exponents(eps: float, N: int = 1):
    r"""Eigenvalues ``(y_t, y_u)`` of the linearised Wilson flow at the WF point (``ℓ`` convention):
    :math:`y_t = 1/\nu = 2 - (N+2)\varepsilon/(N+8) + O(\varepsilon^2)`, :math:`y_u = -\varepsilon + O(\varepsilon^2)`."""
    r, v = wilson_fixed_point(eps, N)
    w = np.linalg.eigvals(wilson_jacobian(r, v, eps, N))
    w = np.sort(w.real)[::-1]
    return float(w[0]), float(w[1])


def wilson_flow(r0: float, v0: float, ell_end: float, eps: float, N: int = 1, n_out: int = 200):
    r"""Integrate the Wilson flow from :math:`(r_0, v_0)` to :math:`\ell` = ``ell_end`` (DOP853).

    Returns ``(ell, r, v)``; the integration stops early if :math:`r` approaches −1 or
    :math:`|r|` exceeds 50 (the flow has left the region where the one-loop equations make sense).
    """
    r0 = real_scalar(r0, "r0")
    v0 = real_scalar(v0, "v0")
    ell_end = real_scalar(ell_end, "ell_end", positive=True)
    eps = _check_eps(eps)
    N = _check_N(N)
    n_out = int_scalar(n_out, "n_out", minimum=2)
    if r0 <= -1.0:
        raise ValueError("r0 must be > -1")

    def rhs(_, y):
        return list(wilson_rhs(y[0], y[1], eps, N))

    def hit_wall(_, y):
        return min(y[0] + 0.9, 50.0 - abs(y[0]))

    hit_wall.terminal = True
    sol = _integrate.solve_ivp(
        rhs, (0.0, ell_end), [r0, v0], method="DOP853", rtol=1e-10, atol=1e-12,
        t_eval=np.linspace(0.0, ell_end, n_out), events=hit_wall,
    )
    t, y = sol.t, sol.y
    if sol.status == 1 and sol.t_events[0].size:  # stopped at the wall: keep the last state
        t = np.append(t, sol.t_events[0][0])
        y = np.hstack([y, sol.y_events[0][0][:, None]])
    return t, y[0], y[1]


def wilson_critical_r(v0: float, eps: float, N: int = 1, *, ell_max: float = 25.0, tol: float = 1e-9) -> float:
    r"""The critical :math:`r_c(v_0)`: starting from :math:`(r_c, v_0)` the flow runs into the WF point.

    Found by bisection on the fate of the flow (``r`` → +large: disordered; ``r`` → −1: ordered)
    in the bracket :math:`-0.9 < r < 0`. ``v0`` must be positive.
    """
    v0 = real_scalar(v0, "v0", positive=True)
    eps = _check_eps(eps)
    N = _check_N(N)

    def fate(r0):
        _, r, _ = wilson_flow(r0, v0, ell_max, eps, N, n_out=2)
        return 1 if r[-1] > 0 else -1

    lo, hi = -0.89, 0.0
    if fate(lo) != -1 or fate(hi) != 1:
        raise ValueError(f"no critical r in (-0.89, 0) for v0={v0}")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if fate(mid) == 1:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def wilson_critical_line(eps: float, N: int = 1, *, delta: float = 1e-6, ell_back: float = 30.0, n_out: int = 400):
    r"""The critical line (stable manifold of the WF point) of the one-loop Wilson flow.

    Integrates the flow *backwards* in :math:`\ell` from the WF point displaced by ``±delta`` along
    the irrelevant eigenvector. Returns two ``(r, v)`` branches (arrays of shape ``(2, m)``), each
    running away from the fixed point; they stop when :math:`r \le -0.9`, :math:`|r| > 50` or
    :math:`v` leaves :math:`(0, 50)`.
    """
    eps = _check_eps(eps)
    N = _check_N(N)
    delta = real_scalar(delta, "delta", positive=True)
    ell_back = real_scalar(ell_back, "ell_back", positive=True)
    n_out = int_scalar(n_out, "n_out", minimum=2)
    r_s, v_s = wilson_fixed_point(eps, N)
    w, vec = np.linalg.eig(wilson_jacobian(r_s, v_s, eps, N))
    e_irr = vec[:, int(np.argmin(w.real))].real

    def rhs(_, y):
        dr, dv = wilson_rhs(y[0], y[1], eps, N)
        return [-float(dr), -float(dv)]

    def wall(_, y):
        return min(y[0] + 0.9, 50.0 - abs(y[0]), y[1], 50.0 - y[1])

    wall.terminal = True
    branches = []
    for s in (1.0, -1.0):
        y0 = np.array([r_s, v_s]) + s * delta * e_irr
        sol = _integrate.solve_ivp(rhs, (0.0, ell_back), y0, method="DOP853", rtol=1e-10, atol=1e-13,
                                   t_eval=np.linspace(0.0, ell_back, n_out), events=wall)
        branches.append(sol.y)
    return branches
