"""Tests of scaledyn.phi4: O(N) beta functions, fixed points, exponents, Wilson flow."""

import math

import numpy as np
import pytest
import sympy as sp

from scaledyn import flows, phi4


def test_one_loop_coefficients():
    assert phi4.beta_coefficients(1) == (3.0, 17.0 / 3.0)
    assert phi4.wilson_fisher_coupling(0.3, N=1) == pytest.approx(0.1)
    assert phi4.beta(0.1, 0.3, N=1) == pytest.approx(0.0, abs=1e-16)


@pytest.mark.parametrize("N", [1, 2, 3, 4])
def test_two_loop_root_matches_series(N):
    eps = 1e-3
    g2 = phi4.wilson_fisher_coupling(eps, N, loops=2)
    assert abs(phi4.beta(g2, eps, N, loops=2)) < 1e-18
    assert g2 == pytest.approx(phi4.wilson_fisher_series(eps, N, order=2), rel=1e-5)


def test_beta_prime_at_fixed_points():
    eps = 0.7
    gs = phi4.wilson_fisher_coupling(eps, 1)
    assert phi4.beta_prime(gs, eps) == pytest.approx(+eps)  # UV-unstable, IR-attractive
    assert phi4.beta_prime(0.0, eps) == pytest.approx(-eps)


def test_closed_form_solves_flow():
    g0, eps, A = 0.2, 1.0, 3.0
    tau = np.linspace(-3, 0.5, 50)
    g = phi4.flow_closed_form(g0, tau, eps, A)
    dg = np.gradient(g, tau, edge_order=2)
    np.testing.assert_allclose(dg, -eps * g + A * g * g, atol=5e-4)
    assert phi4.flow_closed_form(g0, 0.0, eps, A) == pytest.approx(g0)
    tl = phi4.landau_pole(0.5, eps, A)
    assert tl == pytest.approx(math.log(3.0))  # e^{eps tau} = (A/eps)/(A/eps - 1/g0) = 3
    assert phi4.landau_pole(0.2, eps, A) == math.inf


def test_momentum_decays_at_wf_with_rate_eps():
    eps, A = 1.0, 3.0
    ham = phi4.scale_hamiltonian(eps, A)
    tr = flows.integrate(ham, eps / A, 1.0, h=0.01, n_steps=300, method="midpoint")
    exact = phi4.momentum_at_fixed_point(1.0, tr.tau, eps, A)
    np.testing.assert_allclose(tr.p, exact, rtol=1e-4)
    rate = np.polyfit(tr.tau, np.log(tr.p), 1)[0]
    assert rate == pytest.approx(-eps, abs=1e-4)


def test_momentum_with_source_relaxes_to_p_inf():
    eps, A, kappa = 1.0, 3.0, 0.6
    ham = phi4.scale_hamiltonian(eps, A, F=lambda g: 0.5 * kappa * g * g, dF=lambda g: kappa * g)
    gs = eps / A
    tr = flows.integrate(ham, gs, 2.0, h=0.01, n_steps=500, method="midpoint")
    exact = phi4.momentum_at_fixed_point(2.0, tr.tau, eps, A, dF_star=kappa * gs)
    np.testing.assert_allclose(tr.p, exact, atol=2e-5)
    assert tr.p[-1] == pytest.approx(-kappa * gs / eps, abs=0.02)


def test_series_coefficients_with_sympy():
    e, N = sp.symbols("epsilon N", positive=True)
    a, b = (N + 8) / 3, (3 * N + 14) / 3
    gstar = 3 * e / (N + 8) + 9 * (3 * N + 14) * e**2 / (N + 8) ** 3
    beta = -e * gstar + a * gstar**2 - b * gstar**3
    assert sp.simplify(sp.series(beta, e, 0, 3).removeO()) == 0
    inv_nu = 2 - ((N + 2) * gstar / 3 - 5 * (N + 2) * gstar**2 / 18)
    target = 2 - (N + 2) * e / (N + 8) - (N + 2) * (13 * N + 44) * e**2 / (2 * (N + 8) ** 3)
    assert sp.simplify(sp.series(inv_nu - target, e, 0, 3).removeO()) == 0
    nu = sp.series(1 / target, e, 0, 3).removeO()
    nu_t = sp.Rational(1, 2) + (N + 2) * e / (4 * (N + 8)) + (N + 2) * (N**2 + 23 * N + 60) * e**2 / (8 * (N + 8) ** 3)
    assert sp.simplify(nu - nu_t) == 0


def test_ising_numbers_at_eps_one():
    s1 = phi4.exponents_series(1.0, 1, order=1)
    assert s1["nu"] == pytest.approx(0.6)
    s2 = phi4.exponents_series(1.0, 1, order=2)
    assert s2["inv_nu"] == pytest.approx(5 / 3 - 3 * 57 / (2 * 729))
    assert s2["eta"] == pytest.approx(1 / 54)
    assert s2["omega"] == pytest.approx(1 - 3 * 17 / 81)
    fp = phi4.exponents_at_fixed_point(1e-4, 1, loops=2)
    s = phi4.exponents_series(1e-4, 1, order=2)
    assert fp["inv_nu"] == pytest.approx(s["inv_nu"], abs=1e-11)
    assert fp["eta"] == pytest.approx(s["eta"], rel=1e-3)


def test_omega_second_order_and_bootstrap_constant():
    """omega at O(eps^2) for N = 1 is 1 - 51/81; the bootstrap omega is Delta_eps' - 3 with
    Delta_eps' = 3.82968(23) (Simmons-Duffin, JHEP 03 (2017) 086, arXiv:1612.08471, Table 2)."""
    assert phi4.exponents_series(1.0, 1, order=2)["omega"] == pytest.approx(1 - 51 / 81, rel=1e-14)
    assert phi4.exponents_series(1.0, 1, order=1)["omega"] == 1.0
    # the eps^2 coefficient, derived independently: omega = beta'(g*) with g* solved order by order
    e, x, g1 = sp.symbols("epsilon x g1")
    for N in (1, 2, 3):
        a, b = sp.Rational(N + 8, 3), sp.Rational(3 * N + 14, 3)
        beta = -e * x + a * x**2 - b * x**3
        c1 = sp.solve(sp.expand(beta.subs(x, e / a + g1 * e**2)).coeff(e, 3), g1)[0]
        omega = sp.expand(sp.diff(beta, x).subs(x, e / a + c1 * e**2))
        assert omega.coeff(e, 1) == 1 and omega.coeff(e, 2) == sp.Rational(-3 * (3 * N + 14), (N + 8) ** 2)
        for eps in (0.1, 0.5, 1.0):
            assert phi4.exponents_series(eps, N, order=2)["omega"] == pytest.approx(
                float(omega.coeff(e, 1) * eps + omega.coeff(e, 2) * eps**2), rel=1e-13)
    assert phi4.DELTA_EPS_PRIME_3D_ISING == 3.82968
    assert phi4.OMEGA_3D_ISING == pytest.approx(0.82968, abs=1e-12)
    assert phi4.OMEGA_3D_ISING_ERR == 0.00023
    # the bootstrap value lies between the O(eps^2) and the O(eps) truncations at eps = 1
    assert 1 - 51 / 81 < phi4.OMEGA_3D_ISING < 1.0


@pytest.mark.parametrize("N", [1, 2, 4])
def test_omega_pade_reexpands_to_the_series(N):
    from scipy.interpolate import pade

    e = sp.Symbol("epsilon")
    c2 = sp.Rational(-3 * (3 * N + 14), (N + 8) ** 2)
    approx = e / (1 - c2 * e)
    assert sp.expand(sp.series(approx, e, 0, 3).removeO()) == sp.expand(e + c2 * e**2)
    num, den = pade([0.0, 1.0, float(c2)], 1)       # scipy's [1/1] from the same three coefficients
    for eps in (0.0, 0.3, 1.0):
        assert phi4.omega_pade(eps, N) == pytest.approx(float(approx.subs(e, eps)), rel=1e-14, abs=1e-300)
        assert phi4.omega_pade(eps, N) == pytest.approx(num(eps) / den(eps), rel=1e-12, abs=1e-300)
    assert phi4.omega_pade(1.0, 1) == pytest.approx(27 / 44, rel=1e-14)
    with pytest.raises(ValueError, match="eps"):
        phi4.omega_pade(-0.1, N)


def test_large_N_limit_spherical_model():
    eps = 0.5
    s = phi4.exponents_series(eps, 10**7, order=1)
    assert s["nu"] == pytest.approx(1 / (2 - eps), rel=1e-5)


@pytest.mark.parametrize("N", [1, 3])
def test_wilson_flow_fixed_point_and_eigenvalues(N):
    eps = 1e-3
    r, v = phi4.wilson_fixed_point(eps, N)
    dr, dv = phi4.wilson_rhs(r, v, eps, N)
    assert abs(dr) < 1e-15 and abs(dv) < 1e-15
    yt, yu = phi4.wilson_exponents(eps, N)
    assert yt == pytest.approx(2 - (N + 2) * eps / (N + 8), abs=1e-5)
    assert yu == pytest.approx(-eps, abs=1e-5)
    # numerical Jacobian agrees with the analytic one
    J = flows.numerical_jacobian(lambda x: np.array(phi4.wilson_rhs(x[0], x[1], eps, N)), [r, v])
    np.testing.assert_allclose(J, phi4.wilson_jacobian(r, v, eps, N), atol=1e-9)


def test_wilson_flow_runs_into_fixed_point_on_critical_surface():
    eps, N = 1.0, 1
    r_s, v_s = phi4.wilson_fixed_point(eps, N)
    w, vec = np.linalg.eig(phi4.wilson_jacobian(r_s, v_s, eps, N))
    k = int(np.argmin(w.real))  # irrelevant direction, eigenvalue y_u < 0
    start = np.array([r_s, v_s]) + 1e-6 * vec[:, k].real
    ell, r, v = phi4.wilson_flow(start[0], start[1], 4.0, eps, N)
    dist = np.hypot(r[-1] - r_s, v[-1] - v_s)
    assert dist == pytest.approx(1e-6 * np.exp(w[k].real * 4.0), rel=0.05)


def test_critical_surface_separates_phases():
    eps, N = 1.0, 1
    v0 = 0.3
    rc = phi4.wilson_critical_r(v0, eps, N)
    r_s, v_s = phi4.wilson_fixed_point(eps, N)
    _, r, v = phi4.wilson_flow(rc, v0, 8.0, eps, N)
    assert abs(r[-1] - r_s) < 1e-3 and abs(v[-1] - v_s) < 1e-3
    _, r_hi, _ = phi4.wilson_flow(rc + 1e-3, v0, 12.0, eps, N)
    _, r_lo, _ = phi4.wilson_flow(rc - 1e-3, v0, 12.0, eps, N)
    assert r_hi[-1] > 1.0 and r_lo[-1] < -0.5


def test_bad_input():
    with pytest.raises(ValueError, match="loops"):
        phi4.beta(0.1, 1.0, loops=3)
    with pytest.raises(ValueError, match="N"):
        phi4.beta(0.1, 1.0, N=0)
    with pytest.raises(TypeError, match="N"):
        phi4.beta(0.1, 1.0, N=1.5)
    with pytest.raises(ValueError, match="eps"):
        phi4.beta(0.1, float("nan"))
    with pytest.raises(ValueError, match="g"):
        phi4.beta(np.array([0.1, np.nan]), 1.0)
    with pytest.raises(ValueError, match="eps"):
        phi4.wilson_fisher_coupling(5.0, 1, loops=2)
    with pytest.raises(ValueError, match="r"):
        phi4.wilson_rhs(-1.5, 0.1, 1.0)
    with pytest.raises(TypeError, match="F"):
        phi4.scale_hamiltonian(1.0, F=2.0)
    with pytest.raises(ValueError, match="eps"):
        phi4.flow_closed_form(0.1, 1.0, 0.0)


@pytest.mark.parametrize("eps", [0.0, -0.5, 4.0, 7.0])
@pytest.mark.parametrize(
    "call",
    [
        lambda e: phi4.beta(0.1, e),
        lambda e: phi4.beta_prime(0.1, e),
        lambda e: phi4.wilson_fisher_coupling(e),
        lambda e: phi4.wilson_fisher_series(e),
        lambda e: phi4.flow_closed_form(0.1, 1.0, e),
        lambda e: phi4.landau_pole(0.5, e),
        lambda e: phi4.scale_hamiltonian(e),
        lambda e: phi4.momentum_at_fixed_point(1.0, 1.0, e),
        lambda e: phi4.exponents_at_fixed_point(e),
        lambda e: phi4.wilson_rhs(-0.1, 0.3, e),
        lambda e: phi4.wilson_fixed_point(e),
        lambda e: phi4.wilson_jacobian(-0.1, 0.3, e),
        lambda e: phi4.wilson_exponents(e),
        lambda e: phi4.wilson_flow(-0.1, 0.3, 1.0, e),
        lambda e: phi4.wilson_critical_line(e),
    ],
)
def test_eps_outside_0_4_is_refused(call, eps):
    """d = 4 - eps must lie between 0 and 4: eps <= 0 or eps >= 4 is a ValueError naming eps."""
    with pytest.raises(ValueError, match=r"eps = 4 - d must lie in \(0, 4\)"):
        call(eps)


def test_series_accepts_d_equal_4_as_mean_field_but_nothing_outside():
    s = phi4.exponents_series(0.0, 1, order=2)
    assert s["nu"] == pytest.approx(0.5) and s["eta"] == 0.0
    for eps in (-0.5, 4.0, 7.0):
        with pytest.raises(ValueError, match=r"eps = 4 - d must lie in \[0, 4\)"):
            phi4.exponents_series(eps)


@pytest.mark.parametrize("N", [1, 2, 3, 4, 7])
def test_one_loop_vertex_factor_is_N_plus_8_over_3(N):
    """The tensor contraction reproduces the one-loop beta coefficient used everywhere else."""
    assert phi4.one_loop_vertex_factor(N) == pytest.approx((N + 8) / 3, rel=1e-12)
    assert phi4.one_loop_vertex_factor(N) == pytest.approx(phi4.beta_coefficients(N)[0], rel=1e-12)


def test_eta_series_orders():
    # O(eps^2) agrees with exponents_series; the eps^3 term for N = 1 is 327/324 of the eps^2 term
    assert phi4.eta_series(1.0, 1, order=2) == pytest.approx(phi4.exponents_series(1.0, 1, 2)["eta"])
    assert phi4.eta_series(1.0, 1, order=3) == pytest.approx((1 / 54) * (1 + 327 / 324), rel=1e-12)
    # large N: eta -> eps^2/(2N) (1 - eps/4 ... ) is small; d = 4 is mean field
    assert phi4.eta_series(0.0, 3) == 0.0
    # at eps = 1 the third order brings eta to within 3 % of the bootstrap value
    assert abs(phi4.eta_series(1.0, 1, 3) / phi4.ETA_3D_ISING - 1) < 0.03
    with pytest.raises(ValueError, match="order"):
        phi4.eta_series(1.0, 1, order=4)


def test_scaling_relations_exact_cases():
    mf = phi4.scaling_relations(0.5, 0.0, 4.0)          # mean field in d = 4
    assert mf == pytest.approx({"gamma": 1.0, "alpha": 0.0, "beta": 0.5, "delta": 3.0})
    ising2 = phi4.scaling_relations(1.0, 0.25, 2.0)     # Onsager: gamma 7/4, alpha 0, beta 1/8, delta 15
    assert ising2 == pytest.approx({"gamma": 1.75, "alpha": 0.0, "beta": 0.125, "delta": 15.0})
    with pytest.raises(ValueError, match="nu"):
        phi4.scaling_relations(-1.0, 0.0, 3.0)
