r"""Scale Hamiltonians, symplectic integration, fixed points and their linearisation.

The scale variable is :math:`\tau = \ln(\mu/\mu_0)` (dimensionless; increasing :math:`\tau` means
*higher* energy scale :math:`\mu`, i.e. towards the ultraviolet). A set of couplings
:math:`g = (g_1,\dots,g_n)` runs with the β-functions, :math:`dg_i/d\tau = \beta_i(g)`. The book
embeds this first-order flow into a Hamiltonian system on the doubled space :math:`(g, p)` with the
*scale Hamiltonian*

.. math::  H(g, p) = \sum_i p_i\,\beta_i(g) + F(g),

whose Hamilton equations are

.. math::  \frac{dg_i}{d\tau} = \frac{\partial H}{\partial p_i} = \beta_i(g), \qquad
           \frac{dp_i}{d\tau} = -\frac{\partial H}{\partial g_i}
                              = -\sum_j p_j\,\frac{\partial\beta_j}{\partial g_i} - \frac{\partial F}{\partial g_i}.

Everything is dimensionless. :math:`H` is linear in :math:`p` and not separable, so the leapfrog
(kinetic/potential) splitting does not apply. The symplectic schemes offered here are

* ``"midpoint"`` — the implicit midpoint rule (order 2, symplectic, symmetric, i.e. time-reversible;
  conserves every quadratic invariant exactly). Because :math:`\dot g` does not depend on
  :math:`p` and :math:`\dot p` is linear in :math:`p`, one step costs a Newton solve for the
  :math:`n` couplings followed by one *linear* solve for the momenta.
* ``"symplectic_euler"`` — the symplectic Euler method with the momentum treated implicitly
  (order 1). For :math:`H = p\cdot\beta + F` it is *explicit*: :math:`g` takes an explicit Euler
  step and :math:`p` solves a linear system.

The non-symplectic contrasts are ``"euler"`` (explicit, order 1) and ``"rk4"`` (classical
Runge–Kutta, order 4). For separable mechanical Hamiltonians :math:`p^2/2m + V(q)` (the toy scale
oscillator of chapter 1) :func:`integrate_separable` offers the leapfrog (velocity Verlet) scheme.

All public functions validate their inputs and raise :class:`ValueError` or :class:`TypeError`
naming the offending argument. These routines take user-supplied Python callables (β, F), so they
are plain NumPy rather than Numba kernels; the systems are small (one or two couplings).

Length (~560 lines): the integrators, the fixed-point analysis and the separable leapfrog share one
phase-space convention and its input checks; split, each part would re-import the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Callable

import numpy as np
from scipy import optimize

from ._checks import check_callable, int_scalar, real_array, real_scalar, sympy_expr

__all__ = [
    "ScaleHamiltonian",
    "Trajectory",
    "SYMPLECTIC_METHODS",
    "METHODS",
    "integrate",
    "integrate_separable",
    "toy_oscillator",
    "toy_energy",
    "fixed_points_1d",
    "find_fixed_point",
    "linearise",
    "numerical_jacobian",
    "phase_area",
    "convergence_order",
]

#: Integrators of :func:`integrate` that are symplectic.
SYMPLECTIC_METHODS = ("midpoint", "symplectic_euler")
#: All integrators of :func:`integrate` and their order of accuracy.
METHODS = {"midpoint": 2, "symplectic_euler": 1, "euler": 1, "rk4": 4}


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def _as_vector(x, name: str, dim: int | None = None) -> np.ndarray:
    arr = np.atleast_1d(real_array(x, name))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    if dim is not None and arr.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},), got {arr.shape}")
    return arr


def numerical_jacobian(f: Callable, x, step: float = 1e-3) -> np.ndarray:
    r"""Jacobian :math:`\partial f_i/\partial x_j` by the fourth-order central difference.

    The step is ``step * max(1, |x_j|)``; the truncation error is :math:`O(\text{step}^4)` and the
    round-off error :math:`O(10^{-16}/\text{step})`, about :math:`10^{-12}` for the default.
    Returns an ``(m, n)`` array for ``f: R^n -> R^m``.
    """
    check_callable(f, "f")
    x = _as_vector(x, "x")
    step = real_scalar(step, "step", positive=True)
    f0 = np.atleast_1d(np.asarray(f(x), dtype=float))
    jac = np.empty((f0.size, x.size))
    for j in range(x.size):
        hj = step * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = hj
        fp1, fm1 = np.atleast_1d(f(x + e)), np.atleast_1d(f(x - e))
        fp2, fm2 = np.atleast_1d(f(x + 2 * e)), np.atleast_1d(f(x - 2 * e))
        jac[:, j] = (8.0 * (fp1 - fm1) - (fp2 - fm2)) / (12.0 * hj)
    return jac


# --------------------------------------------------------------------------------------------
# the scale Hamiltonian
# --------------------------------------------------------------------------------------------
class ScaleHamiltonian:
    r"""The scale Hamiltonian :math:`H(g,p) = p\cdot\beta(g) + F(g)` for ``dim`` couplings.

    Parameters
    ----------
    beta : callable
        :math:`\beta(g)`; takes an array of shape ``(dim,)`` (or a float when ``dim == 1``) and
        returns ``dim`` values.
    F : callable, optional
        The "potential" :math:`F(g)` (a scalar); ``None`` means :math:`F \equiv 0`.
    jac : callable, optional
        :math:`\partial\beta_i/\partial g_j`, shape ``(dim, dim)``. If omitted it is computed by
        :func:`numerical_jacobian` (accurate to about :math:`10^{-12}`).
    dF : callable, optional
        :math:`\nabla F`; numerical if omitted (and ``F`` given).
    dim : int
        Number of couplings (default 1).
    diagonal : bool
        Declare that :math:`\beta_i` depends on :math:`g_i` only (e.g. an ensemble of ``dim``
        independent copies of one coupling). ``jac`` then returns the ``dim`` diagonal entries and
        the integrators replace linear solves by divisions.
    """

    def __init__(self, beta, F=None, *, jac=None, dF=None, dim: int = 1, diagonal: bool = False):
        check_callable(beta, "beta")
        if F is not None:
            check_callable(F, "F")
        if jac is not None:
            check_callable(jac, "jac")
        if dF is not None:
            check_callable(dF, "dF")
        self.dim = int_scalar(dim, "dim")
        if not isinstance(diagonal, bool):
            raise TypeError(f"diagonal must be a bool, got {type(diagonal).__name__}")
        if diagonal and jac is None:
            raise ValueError("diagonal=True needs jac (the diagonal of the Jacobian)")
        self.diagonal = diagonal
        self._beta, self._F, self._jac, self._dF = beta, F, jac, dF

    # -- construction from sympy --------------------------------------------------------------
    @classmethod
    def from_sympy(cls, beta, couplings, F=0):
        r"""Build a Hamiltonian with exact derivatives from sympy expressions.

        ``beta`` is an expression (one coupling) or a list of expressions, ``couplings`` the sympy
        symbol(s), ``F`` an expression (default 0). Expressions must be sympy objects or numbers:
        strings are refused with :class:`TypeError`, because :func:`sympy.sympify` would execute them.
        """
        import sympy as sp

        syms = list(couplings) if isinstance(couplings, (list, tuple)) else [couplings]
        betas = list(beta) if isinstance(beta, (list, tuple)) else [beta]
        if len(betas) != len(syms):
            raise ValueError(f"beta has {len(betas)} components but couplings has {len(syms)} symbols")
        for s in syms:
            if not isinstance(s, sp.Symbol):
                raise TypeError(f"couplings must be sympy Symbols, got {type(s).__name__}")
        bvec = sp.Matrix([sympy_expr(b, "beta") for b in betas])
        Fexpr = sympy_expr(F, "F")
        jac_expr = bvec.jacobian(syms)
        grad_expr = sp.Matrix([Fexpr]).jacobian(syms)
        fb = sp.lambdify([syms], list(bvec), "numpy")
        fj = sp.lambdify([syms], jac_expr.tolist(), "numpy")
        fF = sp.lambdify([syms], Fexpr, "numpy")
        fdF = sp.lambdify([syms], list(grad_expr), "numpy")
        n = len(syms)
        return cls(
            lambda g: np.asarray(fb(np.atleast_1d(g)), dtype=float),
            lambda g: float(fF(np.atleast_1d(g))),
            jac=lambda g: np.asarray(fj(np.atleast_1d(g)), dtype=float).reshape(n, n),
            dF=lambda g: np.asarray(fdF(np.atleast_1d(g)), dtype=float).reshape(n),
            dim=n,
        )

    # -- pieces ---------------------------------------------------------------------------------
    def _arg(self, g):
        return g[0] if self.dim == 1 else g

    def beta(self, g) -> np.ndarray:
        """β(g) as an array of shape ``(dim,)``."""
        g = np.asarray(g, dtype=float).reshape(self.dim)
        return np.asarray(self._beta(self._arg(g)), dtype=float).reshape(self.dim)

    def F(self, g) -> float:
        """F(g) (zero if no F was given)."""
        if self._F is None:
            return 0.0
        g = np.asarray(g, dtype=float).reshape(self.dim)
        return float(np.asarray(self._F(self._arg(g))).reshape(()))

    def jacobian(self, g) -> np.ndarray:
        r""":math:`J_{ij} = \partial\beta_i/\partial g_j` at ``g``, shape ``(dim, dim)``."""
        g = np.asarray(g, dtype=float).reshape(self.dim)
        if self.diagonal:
            return np.diag(self._jac_diag(g))
        if self._jac is not None:
            return np.asarray(self._jac(self._arg(g)), dtype=float).reshape(self.dim, self.dim)
        return numerical_jacobian(self.beta, g)

    def _jac_diag(self, g) -> np.ndarray:
        return np.asarray(self._jac(self._arg(g)), dtype=float).reshape(self.dim)

    def _jt_apply(self, g, p) -> np.ndarray:
        # J(g)^T p, cheap for diagonal systems
        if self.diagonal:
            return self._jac_diag(g) * p
        return self.jacobian(g).T @ p

    def grad_F(self, g) -> np.ndarray:
        r""":math:`\nabla F(g)`, shape ``(dim,)``."""
        g = np.asarray(g, dtype=float).reshape(self.dim)
        if self._F is None:
            return np.zeros(self.dim)
        if self._dF is not None:
            return np.asarray(self._dF(self._arg(g)), dtype=float).reshape(self.dim)
        return numerical_jacobian(lambda x: np.atleast_1d(self.F(x)), g)[0]

    def energy(self, g, p) -> float:
        r"""The scale energy :math:`H(g,p) = p\cdot\beta(g) + F(g)`."""
        g = _as_vector(g, "g", self.dim)
        p = _as_vector(p, "p", self.dim)
        return float(p @ self.beta(g) + self.F(g))

    def vector_field(self, g, p):
        r"""Hamilton's equations: returns :math:`(\dot g, \dot p) = (\beta, -J^T p - \nabla F)`."""
        g = np.asarray(g, dtype=float).reshape(self.dim)
        p = np.asarray(p, dtype=float).reshape(self.dim)
        return self.beta(g), -self._jt_apply(g, p) - self.grad_F(g)


@dataclass(frozen=True)
class Trajectory:
    """A sampled trajectory: scale ``tau`` (n+1,), ``g`` and ``p`` ((n+1,) for one coupling,
    else (n+1, dim)), the scale energy ``energy`` (n+1,) and the ``method`` used."""

    tau: np.ndarray
    g: np.ndarray
    p: np.ndarray
    energy: np.ndarray
    method: str


# --------------------------------------------------------------------------------------------
# integrators
# --------------------------------------------------------------------------------------------
def _midpoint_step(ham: ScaleHamiltonian, g, p, h, tol, max_iter):
    # Newton solve of gm = g + (h/2) beta(gm) for the midpoint gm, then a linear solve for p.
    gm = g + 0.5 * h * ham.beta(g)
    if ham.diagonal:
        for _ in range(max_iter):
            delta = (gm - g - 0.5 * h * ham.beta(gm)) / (1.0 - 0.5 * h * ham._jac_diag(gm))
            gm = gm - delta
            if not np.all(np.isfinite(gm)):
                break
            if np.max(np.abs(delta)) <= tol * (1.0 + np.max(np.abs(gm))):
                d = ham._jac_diag(gm)
                p_new = ((1.0 - 0.5 * h * d) * p - h * ham.grad_F(gm)) / (1.0 + 0.5 * h * d)
                return 2.0 * gm - g, p_new
        raise RuntimeError(f"implicit midpoint: Newton iteration did not converge (step h={h}); "
                           "the flow may blow up (Landau pole) - reduce h or the integration range")
    eye = np.eye(ham.dim)
    for _ in range(max_iter):
        res = gm - g - 0.5 * h * ham.beta(gm)
        delta = np.linalg.solve(eye - 0.5 * h * ham.jacobian(gm), res)
        gm = gm - delta
        if not np.all(np.isfinite(gm)):
            break
        if np.max(np.abs(delta)) <= tol * (1.0 + np.max(np.abs(gm))):
            jt = ham.jacobian(gm).T
            rhs = (eye - 0.5 * h * jt) @ p - h * ham.grad_F(gm)
            return 2.0 * gm - g, np.linalg.solve(eye + 0.5 * h * jt, rhs)
    raise RuntimeError(
        f"implicit midpoint: Newton iteration did not converge at g={g} (step h={h}); "
        "the flow may blow up (Landau pole) - reduce h or the integration range"
    )


def _symplectic_euler_step(ham: ScaleHamiltonian, g, p, h):
    # p_{n+1} = p_n - h dH/dg(g_n, p_{n+1});  g_{n+1} = g_n + h dH/dp(g_n, p_{n+1}) = g_n + h beta(g_n)
    if ham.diagonal:
        p_new = (p - h * ham.grad_F(g)) / (1.0 + h * ham._jac_diag(g))
        return g + h * ham.beta(g), p_new
    jt = ham.jacobian(g).T
    p_new = np.linalg.solve(np.eye(ham.dim) + h * jt, p - h * ham.grad_F(g))
    return g + h * ham.beta(g), p_new


def _check_finite_step(g, p, n: int, h: float, culprits: str) -> None:
    """Stop at the first non-finite state, naming the callables that can produce it (a NaN or inf
    would otherwise propagate silently through every later step)."""
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(p))):
        raise ValueError(
            f"the trajectory became non-finite at step {n + 1} (tau = {(n + 1) * h:.6g}): {culprits} returned "
            "NaN or inf there, or the motion blew up; check them, or reduce h or the integration range"
        )


def _rk4_step(vf, y, h):
    k1 = vf(y)
    k2 = vf(y + 0.5 * h * k1)
    k3 = vf(y + 0.5 * h * k2)
    k4 = vf(y + h * k3)
    return y + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0


def integrate(
    ham: ScaleHamiltonian,
    g0,
    p0,
    *,
    h: float,
    n_steps: int,
    method: str = "midpoint",
    direction: int = 1,
    tau0: float = 0.0,
    tol: float = 1e-14,
    max_iter: int = 50,
) -> Trajectory:
    r"""Integrate Hamilton's equations of a :class:`ScaleHamiltonian` with a fixed step.

    Parameters
    ----------
    ham : ScaleHamiltonian
    g0, p0 : float or array of shape ``(dim,)``
        Initial couplings and momenta at :math:`\tau = \tau_0`.
    h : float
        Step size, > 0 (dimensionless, in units of :math:`\tau`).
    n_steps : int
        Number of steps (≥ 1).
    method : {"midpoint", "symplectic_euler", "euler", "rk4"}
        See the module docstring; the first two are symplectic.
    direction : {+1, -1}
        +1 integrates towards larger :math:`\tau` (ultraviolet), −1 towards the infrared.
    tol, max_iter
        Newton tolerance (relative) and iteration cap of the implicit midpoint rule.
    """
    if not isinstance(ham, ScaleHamiltonian):
        raise TypeError(f"ham must be a ScaleHamiltonian, got {type(ham).__name__}")
    h = real_scalar(h, "h", positive=True)
    n_steps = int_scalar(n_steps, "n_steps")
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    tau0 = real_scalar(tau0, "tau0")
    tol = real_scalar(tol, "tol", positive=True)
    max_iter = int_scalar(max_iter, "max_iter")
    d = ham.dim
    g = _as_vector(g0, "g0", d)
    p = _as_vector(p0, "p0", d)
    hs = direction * h

    gs = np.empty((n_steps + 1, d))
    ps = np.empty((n_steps + 1, d))
    gs[0], ps[0] = g, p

    def vf(y):
        dg, dp = ham.vector_field(y[:d], y[d:])
        return np.concatenate([dg, dp])

    for n in range(n_steps):
        if method == "midpoint":
            g, p = _midpoint_step(ham, g, p, hs, tol, max_iter)
        elif method == "symplectic_euler":
            g, p = _symplectic_euler_step(ham, g, p, hs)
        elif method == "euler":
            y = np.concatenate([g, p])
            y = y + hs * vf(y)
            g, p = y[:d], y[d:]
        else:
            y = _rk4_step(vf, np.concatenate([g, p]), hs)
            g, p = y[:d], y[d:]
        _check_finite_step(g, p, n, hs, "beta, its Jacobian or F")
        gs[n + 1], ps[n + 1] = g, p
    energy = np.array([ps[k] @ ham.beta(gs[k]) + ham.F(gs[k]) for k in range(n_steps + 1)])
    tau = tau0 + hs * np.arange(n_steps + 1)
    if d == 1:
        gs, ps = gs[:, 0], ps[:, 0]
    return Trajectory(tau=tau, g=gs, p=ps, energy=energy, method=method)


def integrate_separable(
    mass: float,
    force: Callable,
    q0: float,
    p0: float,
    *,
    h: float,
    n_steps: int,
    method: str = "leapfrog",
    potential: Callable | None = None,
) -> Trajectory:
    r"""Integrate a separable Hamiltonian :math:`H = p^2/(2m) + V(q)` of one degree of freedom.

    ``force(q) = -V'(q)``. Methods: ``"leapfrog"`` (velocity Verlet: symplectic, order 2),
    ``"symplectic_euler"`` (order 1), ``"euler"`` (explicit, order 1), ``"rk4"`` (order 4). The
    returned :class:`Trajectory` stores :math:`q` in ``g``; ``energy`` is filled when ``potential``
    (:math:`V`) is given, else NaN. A step that yields a non-finite :math:`(q, p)` (``force`` returned
    NaN or inf, or the motion blew up) raises :class:`ValueError`, as :func:`integrate` does.
    """
    mass = real_scalar(mass, "mass", positive=True)
    check_callable(force, "force")
    if potential is not None:
        check_callable(potential, "potential")
    q = real_scalar(q0, "q0")
    p = real_scalar(p0, "p0")
    h = real_scalar(h, "h", positive=True)
    n_steps = int_scalar(n_steps, "n_steps")
    allowed = ("leapfrog", "symplectic_euler", "euler", "rk4")
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"method must be one of {allowed}, got {method!r}")
    qs = np.empty(n_steps + 1)
    ps = np.empty(n_steps + 1)
    qs[0], ps[0] = q, p
    vf = lambda y: np.array([y[1] / mass, float(force(y[0]))])  # noqa: E731
    for n in range(n_steps):
        if method == "leapfrog":
            ph = p + 0.5 * h * float(force(q))
            q = q + h * ph / mass
            p = ph + 0.5 * h * float(force(q))
        elif method == "symplectic_euler":
            p = p + h * float(force(q))
            q = q + h * p / mass
        elif method == "euler":
            q, p = q + h * p / mass, p + h * float(force(q))
        else:
            q, p = _rk4_step(vf, np.array([q, p]), h)
        _check_finite_step(q, p, n, h, "force")
        qs[n + 1], ps[n + 1] = q, p
    if potential is None:
        energy = np.full(n_steps + 1, np.nan)
    else:
        energy = ps**2 / (2.0 * mass) + np.array([float(potential(x)) for x in qs])
    return Trajectory(tau=h * np.arange(n_steps + 1), g=qs, p=ps, energy=energy, method=method)


# --------------------------------------------------------------------------------------------
# the toy scale Lagrangian of chapter 1
# --------------------------------------------------------------------------------------------
def toy_oscillator(A: float, B: float, H0: float, Hdot0: float, tau) -> np.ndarray:
    r"""Closed-form solution of :math:`A\ddot H + B H = 0`:
    :math:`H(\tau) = H_0\cos\omega\tau + (\dot H_0/\omega)\sin\omega\tau`, :math:`\omega=\sqrt{B/A}`."""
    A = real_scalar(A, "A", positive=True)
    B = real_scalar(B, "B", positive=True)
    H0 = real_scalar(H0, "H0")
    Hdot0 = real_scalar(Hdot0, "Hdot0")
    tau = np.asarray(tau, dtype=float)
    if not np.all(np.isfinite(tau)):
        raise ValueError("tau must be finite")
    w = math.sqrt(B / A)
    return H0 * np.cos(w * tau) + Hdot0 / w * np.sin(w * tau)


def toy_energy(A: float, B: float, H, Hdot):
    r"""The conserved scale energy :math:`\mathcal E = \tfrac12 A\dot H^2 + \tfrac12 B H^2`."""
    A = real_scalar(A, "A", positive=True)
    B = real_scalar(B, "B", positive=True)
    return 0.5 * A * np.asarray(Hdot, dtype=float) ** 2 + 0.5 * B * np.asarray(H, dtype=float) ** 2


# --------------------------------------------------------------------------------------------
# fixed points and linearisation
# --------------------------------------------------------------------------------------------
def fixed_points_1d(beta: Callable, lo: float, hi: float, n_grid: int = 2001, xtol: float = 1e-14) -> np.ndarray:
    r"""All simple zeros of a one-coupling β on ``[lo, hi]`` (sign changes on a grid, then Brent).

    Zeros exactly on a grid node are kept; double zeros (no sign change) are not detected.
    """
    check_callable(beta, "beta")
    lo = real_scalar(lo, "lo")
    hi = real_scalar(hi, "hi")
    if not hi > lo:
        raise ValueError(f"hi must be larger than lo, got lo={lo}, hi={hi}")
    n_grid = int_scalar(n_grid, "n_grid", minimum=3)
    x = np.linspace(lo, hi, n_grid)
    f = np.array([float(beta(v)) for v in x])
    if not np.all(np.isfinite(f)):
        raise ValueError("beta returned a non-finite value on [lo, hi]")
    roots = [x[i] for i in range(n_grid) if f[i] == 0.0]
    for i in range(n_grid - 1):
        if f[i] * f[i + 1] < 0.0:
            roots.append(optimize.brentq(lambda v: float(beta(v)), x[i], x[i + 1], xtol=xtol, rtol=1e-15))
    return np.array(sorted(roots))


def find_fixed_point(beta: Callable, guess, *, jac: Callable | None = None, tol: float = 1e-13) -> np.ndarray:
    r"""A zero :math:`g^*` of a (vector) β near ``guess`` (Newton–Powell hybrid, :func:`scipy.optimize.root`).

    Raises :class:`RuntimeError` if no fixed point is found.
    """
    check_callable(beta, "beta")
    if jac is not None:
        check_callable(jac, "jac")
    x0 = _as_vector(guess, "guess")
    fun = lambda x: np.atleast_1d(np.asarray(beta(x if x.size > 1 else x[0]), dtype=float))  # noqa: E731
    jfun = None
    if jac is not None:
        jfun = lambda x: np.asarray(jac(x if x.size > 1 else x[0]), dtype=float).reshape(x.size, x.size)  # noqa: E731
    sol = optimize.root(fun, x0, jac=jfun, method="hybr", tol=tol)
    if not sol.success or np.max(np.abs(fun(sol.x))) > 1e-9 * (1.0 + np.max(np.abs(sol.x))):
        raise RuntimeError(f"no fixed point found near guess={x0}: {sol.message}")
    return sol.x


def linearise(beta: Callable, g_star, *, jac: Callable | None = None):
    r"""Linearise the flow at a fixed point: eigenvalues and eigenvectors of :math:`\partial\beta_i/\partial g_j`.

    Returns ``(eigenvalues, eigenvectors)`` sorted by decreasing real part; eigenvectors are the
    columns. With :math:`\tau=\ln\mu`, a positive eigenvalue is a direction *irrelevant* towards
    the infrared (it shrinks as :math:`\tau\to-\infty`); with the Wilson convention
    :math:`\ell = -\tau`, the signs flip.
    """
    check_callable(beta, "beta")
    g_star = _as_vector(g_star, "g_star")
    if jac is not None:
        check_callable(jac, "jac")
        J = np.asarray(jac(g_star if g_star.size > 1 else g_star[0]), dtype=float).reshape(g_star.size, g_star.size)
    else:
        J = numerical_jacobian(lambda x: np.atleast_1d(beta(x if x.size > 1 else x[0])), g_star)
    w, v = np.linalg.eig(J)
    order = np.argsort(-w.real)
    w, v = w[order], v[:, order]
    if np.all(np.abs(w.imag) < 1e-14 * (1 + np.abs(w.real))):
        w, v = w.real, v.real
    return w, v


# --------------------------------------------------------------------------------------------
# diagnostics
# --------------------------------------------------------------------------------------------
def phase_area(q, p) -> float:
    r"""Signed area enclosed by the closed polygon :math:`(q_k, p_k)` (shoelace formula).

    Liouville's theorem says a Hamiltonian flow preserves it (up to the polygon's discretisation).
    """
    q = _as_vector(q, "q")
    p = _as_vector(p, "p")
    if q.shape != p.shape:
        raise ValueError(f"q and p must have the same shape, got {q.shape} and {p.shape}")
    if q.size < 3:
        raise ValueError("q and p need at least 3 points to enclose an area")
    return 0.5 * float(np.sum(q * np.roll(p, -1) - np.roll(q, -1) * p))


def convergence_order(h, err) -> float:
    r"""Least-squares slope of :math:`\log(\text{err})` against :math:`\log h`: the observed order."""
    h = _as_vector(h, "h")
    err = _as_vector(err, "err")
    if h.shape != err.shape:
        raise ValueError(f"h and err must have the same shape, got {h.shape} and {err.shape}")
    if h.size < 2:
        raise ValueError("need at least two step sizes")
    if np.any(h <= 0):
        raise ValueError("h must be positive")
    if np.any(err <= 0):
        raise ValueError("err must be positive (an error of exactly zero has no order)")
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])
