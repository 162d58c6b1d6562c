"""Tests of scaledyn.hamilton_jacobi: characteristics, stationary actions, singularities."""

import numpy as np
import pytest
import sympy as sp

from scaledyn import hamilton_jacobi as hj

LAM, A = 0.8, 2.0
beta_lin = lambda g: LAM * g  # noqa: E731
F_inv = lambda g: A / g  # noqa: E731


def test_linear_case_stationary_action_is_A_over_lambda_g():
    g = np.array([0.5, 1.0, 2.0, 4.0])
    S = hj.stationary_action(beta_lin, F_inv, g, g_ref=1.0)
    np.testing.assert_allclose(S, A / (LAM * g) - A / LAM, rtol=1e-11, atol=1e-13)
    x = sp.Symbol("g", positive=True)
    lam, a = sp.symbols("lambda A", positive=True)
    assert sp.simplify(hj.stationary_action_sympy(lam * x, a / x, x) - a / (lam * x)) == 0


def test_characteristics_match_closed_form():
    g = np.linspace(0.5, 3.0, 11)
    tau = np.array([-1.0, 0.0, 0.5, 1.5])
    S0 = lambda x: np.sin(x) + x**2  # noqa: E731
    num = hj.solve_characteristics(beta_lin, F_inv, S0, g, tau)
    exact = hj.linear_closed_form(g[None, :], tau[:, None], LAM, A, S0)
    np.testing.assert_allclose(num, exact, rtol=1e-8, atol=1e-9)


def test_stationary_solution_does_not_move():
    g = np.linspace(0.5, 3.0, 6)
    out = hj.solve_characteristics(beta_lin, F_inv, lambda x: A / (LAM * x), g, 2.0)
    np.testing.assert_allclose(out, A / (LAM * g), rtol=1e-9)
    np.testing.assert_allclose(hj.linear_closed_form(g, 2.0, LAM, A), A / (LAM * g), rtol=1e-13)


def test_F_zero_S_constant_along_flow():
    beta = lambda g: -g + 3 * g**2  # noqa: E731
    S0 = lambda g: np.cos(3 * g)  # noqa: E731
    g = np.linspace(0.05, 0.3, 7)
    tau = 1.2
    out = hj.solve_characteristics(beta, lambda g: 0 * g, S0, g, tau)
    # foot point from the exact one-loop flow run backwards
    foot = 1.0 / (3.0 + (1.0 / g - 3.0) * np.exp(-tau))
    np.testing.assert_allclose(out, S0(foot), rtol=1e-9)


def test_pde_residual_small_and_converges():
    beta = lambda g: -g + 3 * g**2  # noqa: E731
    F = lambda g: 0.5 * g**2  # noqa: E731
    res = []
    for n in (21, 41):
        g = np.linspace(0.05, 0.25, n)
        tau = np.linspace(0.0, 0.5, n)
        S = hj.solve_characteristics(beta, F, lambda x: x, g, tau)
        res.append(np.max(np.abs(hj.hj_residual(S, g, tau, beta, F))))
    assert res[1] < res[0] / 3  # second-order finite differences


def test_quadrature_vs_sympy_general():
    x = sp.Symbol("g")
    beta_e, F_e = -x + 3 * x**2, x
    S_sym = hj.stationary_action_sympy(beta_e, F_e, x)
    f = sp.lambdify(x, S_sym)
    g = np.array([0.4, 0.6, 1.0])
    S_num = hj.stationary_action(sp.lambdify(x, beta_e), sp.lambdify(x, F_e), g, g_ref=0.5)
    np.testing.assert_allclose(S_num, f(g) - f(0.5), rtol=1e-10)


def test_singularity_at_fixed_point_rejected_and_log_coefficient():
    beta = lambda g: -g + 3 * g**2  # noqa: E731
    F = lambda g: 1.0 + 0 * g  # noqa: E731
    with pytest.raises(ValueError, match="fixed point"):
        hj.stationary_action(beta, F, 0.5, g_ref=0.2)  # g* = 1/3 in between
    c = hj.log_singularity_coefficient(1.0, 1.0)
    d = np.array([1e-3, 1e-4])
    S = hj.stationary_action(beta, F, 1 / 3 + d, g_ref=0.5)
    assert (S[1] - S[0]) / np.log(d[1] / d[0]) == pytest.approx(c, rel=2e-3)


def test_energy_shifts_reduced_action():
    g = np.array([2.0])
    W = hj.reduced_action(beta_lin, F_inv, g, 1.0, energy=0.3)
    assert W[0] == pytest.approx(0.3 / LAM * np.log(2.0) + A / (LAM * 2) - A / LAM, rel=1e-11)


def test_bad_input():
    with pytest.raises(TypeError, match="beta"):
        hj.stationary_action(2.0, F_inv, 1.0, 0.5)
    with pytest.raises(ValueError, match="g"):
        hj.stationary_action(beta_lin, F_inv, np.nan, 0.5)
    with pytest.raises(ValueError, match="g must be a non-empty 1-D"):
        hj.solve_characteristics(beta_lin, F_inv, F_inv, np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="tau"):
        hj.solve_characteristics(beta_lin, F_inv, F_inv, [1.0], np.nan)
    with pytest.raises(ValueError, match="shape"):
        hj.hj_residual(np.zeros((3, 4)), np.arange(3.0), np.arange(3.0), beta_lin, F_inv)
    with pytest.raises(ValueError, match="g must be non-zero"):
        hj.linear_closed_form(0.0, 1.0, LAM, A)
    with pytest.raises(ValueError, match="lam"):
        hj.linear_closed_form(1.0, 1.0, 0.0, A)
    with pytest.raises(TypeError, match="g must be a sympy Symbol"):
        hj.stationary_action_sympy(sp.Symbol("x"), 1, "x")


# ------------------------------------------------------------------ reliability (issue 21)
class _Timeout(Exception):
    pass


def _alarm(seconds):
    """Fail instead of hanging: a SIGALRM after ``seconds`` raises _Timeout in the test."""
    import signal

    def handler(signum, frame):
        raise _Timeout(f"no answer within {seconds} s")

    signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)


@pytest.mark.parametrize("where", ["everywhere", "at one grid point", "on the way"])
def test_characteristics_with_nan_beta_raise_quickly(where):
    import signal

    if where == "everywhere":
        beta = lambda g: np.full_like(g, np.nan)  # noqa: E731
    elif where == "at one grid point":
        beta = lambda g: np.where(np.isclose(g, 0.75), np.nan, g)  # noqa: E731
    else:  # the foot points run up to g = e^2 > 1.5, where beta is NaN
        beta = lambda g: np.where(g > 1.5, np.nan, g)  # noqa: E731
    _alarm(20)
    try:
        with pytest.raises(ValueError, match="beta is not finite"):
            hj.solve_characteristics(beta, lambda g: 0 * g, lambda g: g, np.linspace(0.5, 1.0, 5), -2.0)
    finally:
        signal.alarm(0)


def test_characteristics_with_nan_F_name_F():
    F = lambda g: np.where(g > 1.2, np.nan, 0 * g)  # noqa: E731
    with pytest.raises(ValueError, match="F is not finite"):
        hj.solve_characteristics(beta_lin, F, lambda g: g, np.linspace(0.5, 1.0, 5), -2.0)


def test_sympy_entry_points_refuse_strings():
    """sympify('...') runs eval: a string must be refused before it reaches sympy."""
    x = sp.Symbol("g")
    with pytest.raises(TypeError, match="beta must be a sympy expression, not a string"):
        hj.stationary_action_sympy("__import__('os').getcwd()", x, x)
    with pytest.raises(TypeError, match="F must be a sympy expression, not a string"):
        hj.stationary_action_sympy(x, "1/g", x)
    with pytest.raises(TypeError, match="beta must be a sympy expression or a number"):
        hj.stationary_action_sympy([x], 1, x)
    assert hj.stationary_action_sympy(x, 1, x) == -sp.log(x)  # numbers stay allowed
