"""Tests of scaledyn.flows: Hamilton's equations, symplectic integrators, fixed points."""

import math

import numpy as np
import pytest
import sympy as sp

from scaledyn import flows

EPS, A = 1.0, 3.0
G = sp.Symbol("g")


def phi4_ham(F=0):
    return flows.ScaleHamiltonian.from_sympy(-EPS * G + A * G**2, G, F)


def exact_g(g0, tau):
    return 1.0 / (A / EPS + (1.0 / g0 - A / EPS) * np.exp(EPS * tau))


def test_hamilton_equations_reproduce_beta():
    ham = phi4_ham(G**2 / 2)
    g, p = 0.2, 0.7
    dg, dp = ham.vector_field(g, p)
    assert dg[0] == pytest.approx(-EPS * g + A * g * g, rel=1e-15)
    assert dp[0] == pytest.approx(-p * (-EPS + 2 * A * g) - g, rel=1e-14)


def test_numerical_jacobian_matches_exact():
    ham_num = flows.ScaleHamiltonian(lambda g: -EPS * g + A * g * g)
    assert ham_num.jacobian(0.3)[0, 0] == pytest.approx(-EPS + 2 * A * 0.3, abs=1e-10)


@pytest.mark.parametrize("method", list(flows.METHODS))
def test_g_follows_closed_form_with_expected_order(method):
    hs = np.array([0.04, 0.02, 0.01])
    errs = []
    for h in hs:
        n = int(round(2.0 / h))
        tr = flows.integrate(phi4_ham(), 0.2, 1.0, h=h, n_steps=n, method=method, direction=-1)
        errs.append(abs(tr.g[-1] - exact_g(0.2, tr.tau[-1])))
    order = flows.convergence_order(hs, np.array(errs))
    assert abs(order - flows.METHODS[method]) < 0.15


@pytest.mark.parametrize("method", list(flows.METHODS))
def test_energy_error_scales_with_order(method):
    ham = phi4_ham(G**2 / 2)
    hs = np.array([0.04, 0.02, 0.01])
    errs = []
    for h in hs:
        tr = flows.integrate(ham, 0.2, 1.0, h=h, n_steps=int(round(2.0 / h)), method=method, direction=-1)
        errs.append(np.max(np.abs(tr.energy - tr.energy[0])))
    order = flows.convergence_order(hs, np.array(errs))
    assert abs(order - flows.METHODS[method]) < 0.15


def test_midpoint_conserves_quadratic_energy_exactly():
    # beta linear -> H = p*lam*g + c g^2/2 is quadratic: implicit midpoint conserves it to round-off.
    ham = flows.ScaleHamiltonian.from_sympy(-0.7 * G, G, 0.3 * G**2)
    tr = flows.integrate(ham, 1.0, 0.5, h=0.1, n_steps=500, method="midpoint")
    assert np.max(np.abs(tr.energy - tr.energy[0])) < 1e-12
    tr_rk = flows.integrate(ham, 1.0, 0.5, h=0.1, n_steps=500, method="rk4")
    assert np.max(np.abs(tr_rk.energy - tr_rk.energy[0])) > 1e-8


def test_explicit_euler_destroys_energy_of_linear_flow():
    # (1 + h lam)(1 - h lam) = 1 - h^2 lam^2 per step: H decays geometrically
    ham = flows.ScaleHamiltonian.from_sympy(0.5 * G, G)
    h, n = 0.1, 100
    tr = flows.integrate(ham, 1.0, 1.0, h=h, n_steps=n, method="euler")
    assert tr.energy[-1] / tr.energy[0] == pytest.approx((1 - (h * 0.5) ** 2) ** n, rel=1e-12)
    tr_se = flows.integrate(ham, 1.0, 1.0, h=h, n_steps=n, method="symplectic_euler")
    assert tr_se.energy[-1] == pytest.approx(tr_se.energy[0], rel=1e-13)


def test_midpoint_is_time_reversible():
    ham = phi4_ham(G**2 / 2)
    fwd = flows.integrate(ham, 0.2, 1.0, h=0.05, n_steps=40, method="midpoint")
    back = flows.integrate(ham, fwd.g[-1], fwd.p[-1], h=0.05, n_steps=40, method="midpoint", direction=-1)
    assert abs(back.g[-1] - 0.2) < 1e-13 and abs(back.p[-1] - 1.0) < 1e-12
    fe = flows.integrate(ham, 0.2, 1.0, h=0.05, n_steps=40, method="euler")
    be = flows.integrate(ham, fe.g[-1], fe.p[-1], h=0.05, n_steps=40, method="euler", direction=-1)
    assert abs(be.g[-1] - 0.2) > 1e-4


def test_phase_area_preserved_by_midpoint_not_by_euler():
    ham = phi4_ham()
    th = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    g0, p0 = 0.2 + 0.01 * np.cos(th), 1.0 + 0.01 * np.sin(th)
    area0 = flows.phase_area(g0, p0)

    def area(method):
        ends = [flows.integrate(ham, a, b, h=0.1, n_steps=30, method=method, direction=-1) for a, b in zip(g0, p0)]
        return flows.phase_area([t.g[-1] for t in ends], [t.p[-1] for t in ends])

    assert area("midpoint") == pytest.approx(area0, rel=2e-3)
    assert abs(area("euler") / area0 - 1) > 0.05


def test_two_coupling_system():
    r, u = sp.symbols("r u")
    ham = flows.ScaleHamiltonian.from_sympy([-2 * r, u], [r, u], r * u)
    tr = flows.integrate(ham, [1.0, 1.0], [0.0, 0.0], h=0.01, n_steps=100, method="midpoint")
    assert tr.g.shape == (101, 2)
    assert tr.g[-1, 0] == pytest.approx(math.exp(-2.0), rel=1e-4)
    assert np.max(np.abs(tr.energy - tr.energy[0])) < 1e-12  # quadratic H


def test_toy_oscillator_and_leapfrog():
    Av, Bv = 2.0, 0.5
    tau = np.linspace(0, 10, 11)
    Hc = flows.toy_oscillator(Av, Bv, 1.0, 0.0, tau)
    assert Hc[0] == 1.0
    w = math.sqrt(Bv / Av)
    assert Hc[5] == pytest.approx(math.cos(5 * w))
    tr = flows.integrate_separable(Av, lambda q: -Bv * q, 1.0, 0.0, h=0.01, n_steps=1000,
                                   method="leapfrog", potential=lambda q: 0.5 * Bv * q * q)
    assert tr.g[-1] == pytest.approx(math.cos(10 * w), abs=1e-4)
    assert np.max(np.abs(tr.energy / tr.energy[0] - 1)) < 1e-4
    assert flows.toy_energy(Av, Bv, 1.0, 0.0) == pytest.approx(0.25)


def test_leapfrog_energy_bounded_euler_grows():
    kw = dict(h=0.1, n_steps=5000, potential=lambda q: 0.5 * q * q)
    lf = flows.integrate_separable(1.0, lambda q: -q, 1.0, 0.0, method="leapfrog", **kw)
    eu = flows.integrate_separable(1.0, lambda q: -q, 1.0, 0.0, method="euler", **kw)
    assert np.max(np.abs(lf.energy / lf.energy[0] - 1)) < 0.01
    assert eu.energy[-1] / eu.energy[0] > 10


def test_fixed_points_and_eigenvalues():
    fp = flows.fixed_points_1d(lambda g: -EPS * g + A * g * g, -1, 1)
    np.testing.assert_allclose(fp, [0.0, EPS / A], atol=1e-14)
    w, _ = flows.linearise(lambda g: -EPS * g + A * g * g, EPS / A)
    assert w[0] == pytest.approx(EPS, abs=1e-9)  # beta'(g*) = +eps
    w0, _ = flows.linearise(lambda g: -EPS * g + A * g * g, 0.0)
    assert w0[0] == pytest.approx(-EPS, abs=1e-9)
    beta2 = lambda x: np.array([x[0] - x[1] ** 2, x[1] * (1 - x[0])])
    gs = flows.find_fixed_point(beta2, [0.9, 0.9])
    np.testing.assert_allclose(gs, [1.0, 1.0], atol=1e-10)
    w2, _ = flows.linearise(beta2, gs)
    # J = [[1, -2], [-1, 0]] at (1, 1): eigenvalues 2 and -1
    np.testing.assert_allclose(w2, [2.0, -1.0], atol=1e-8)


def test_convergence_order_exact():
    h = np.array([0.1, 0.05, 0.025])
    assert flows.convergence_order(h, 3 * h**2) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(h=0.0), ValueError, "h"),
        (dict(h=-0.1), ValueError, "h"),
        (dict(h=float("nan")), ValueError, "h"),
        (dict(n_steps=0), ValueError, "n_steps"),
        (dict(n_steps=2.5), TypeError, "n_steps"),
        (dict(method="leapfrog"), ValueError, "method"),
        (dict(direction=0), ValueError, "direction"),
        (dict(g0=float("nan")), ValueError, "g0"),
        (dict(p0=[1.0, 2.0]), ValueError, "p0"),
        (dict(g0="x"), TypeError, "g0"),
    ],
)
def test_integrate_rejects_bad_input(kwargs, exc, word):
    args = dict(g0=0.2, p0=1.0, h=0.1, n_steps=10)
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        flows.integrate(phi4_ham(), **args)


def test_bad_constructor_and_helpers():
    with pytest.raises(TypeError, match="beta"):
        flows.ScaleHamiltonian(3.0)
    with pytest.raises(TypeError, match="F"):
        flows.ScaleHamiltonian(lambda g: g, F="no")
    with pytest.raises(TypeError, match="ham"):
        flows.integrate(lambda g: g, 0.1, 0.1, h=0.1, n_steps=1)
    with pytest.raises(ValueError, match="hi"):
        flows.fixed_points_1d(lambda g: g, 1.0, 0.0)
    with pytest.raises(ValueError, match="shape"):
        flows.phase_area([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="err"):
        flows.convergence_order([0.1, 0.2], [0.0, 1.0])
    with pytest.raises(ValueError, match="A"):
        flows.toy_oscillator(-1.0, 1.0, 1.0, 0.0, [0.0])
    with pytest.raises(RuntimeError, match="Landau"):
        flows.integrate(phi4_ham(), 1.0, 1.0, h=0.1, n_steps=100)


def test_diagonal_ensemble_matches_scalar_runs():
    g0 = np.array([0.1, 0.2, 0.25])
    p0 = np.array([1.0, -0.5, 2.0])
    ens = flows.ScaleHamiltonian(lambda x: -EPS * x + A * x * x, lambda x: float(np.sum(x * x)) / 2,
                                 jac=lambda x: -EPS + 2 * A * x, dF=lambda x: x, dim=3, diagonal=True)
    for method in flows.METHODS:
        tr = flows.integrate(ens, g0, p0, h=0.05, n_steps=40, method=method, direction=-1)
        for k in range(3):
            one = flows.integrate(phi4_ham(G**2 / 2), g0[k], p0[k], h=0.05, n_steps=40, method=method, direction=-1)
            np.testing.assert_allclose(tr.g[:, k], one.g, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(tr.p[:, k], one.p, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="jac"):
        flows.ScaleHamiltonian(lambda x: x, dim=2, diagonal=True)


# ------------------------------------------------------------------ reliability (issue 21)
def test_from_sympy_refuses_strings():
    with pytest.raises(TypeError, match="beta must be a sympy expression, not a string"):
        flows.ScaleHamiltonian.from_sympy("-g + 3*g**2", G)
    with pytest.raises(TypeError, match="F must be a sympy expression, not a string"):
        flows.ScaleHamiltonian.from_sympy(-G, G, "g**2")
    ham = flows.ScaleHamiltonian.from_sympy(-G, G, 2)  # a number for F is fine
    assert ham.F(0.3) == 2.0


@pytest.mark.parametrize("method", ["leapfrog", "symplectic_euler", "euler", "rk4"])
def test_separable_integrator_raises_on_nan_force(method):
    """Like integrate, integrate_separable must not return a silently all-NaN trajectory."""
    with pytest.raises(ValueError, match="force returned NaN or inf"):
        flows.integrate_separable(1.0, lambda q: math.nan, 0.0, 1.0, h=0.1, n_steps=5, method=method)


@pytest.mark.parametrize("method", ["symplectic_euler", "euler", "rk4"])
def test_explicit_integrators_raise_on_nan_beta(method):
    ham = flows.ScaleHamiltonian(lambda g: np.nan * g, jac=lambda g: 1.0)
    with pytest.raises(ValueError, match="non-finite at step 1"):
        flows.integrate(ham, 0.2, 1.0, h=0.1, n_steps=5, method=method)
