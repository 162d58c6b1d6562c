"""Choosing a state point from concentrations: synthetic scans with a known answer, calibrated errors."""

import numpy as np
import pytest

from scaledyn.analysis import state_match as sm

X = np.array([0.78, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90])
T = np.array([0.3, 0.25, 0.2])


def concentrations(x):
    """A smooth two-parameter family: the mean count grows linearly with x (Poisson-like shape)."""
    n = np.arange(5)
    mean = 0.8 + 12.0 * (np.asarray(x)[..., None] - 0.78) + 0.5 * T  # (…, n_T)
    w = np.exp(-0.5 * (n - mean[..., None]) ** 2 / 0.6)
    return w / w.sum(axis=-1, keepdims=True)


def test_a_state_outside_the_grid_is_flagged():
    ref = concentrations(0.95)
    m = sm.match_state(X, concentrations(X), np.full((7, 3, 5), 1e-3), lambda c: sm.concentration_mismatch(c, ref))
    assert m.at_edge and m.x_best == X[-1]
    with pytest.raises(ValueError, match="increasing"):
        sm.match_state(X[::-1], concentrations(X), np.zeros((7, 3, 5)), lambda c: sm.concentration_mismatch(c, ref))


def test_mismatch_recovers_the_true_state_with_calibrated_errors():
    x0 = 0.845
    ref = concentrations(x0)
    truth = concentrations(X)
    err = np.full_like(truth, 0.004)
    rng = np.random.default_rng(3)
    pulls = []
    for _ in range(200):
        C = truth + err * rng.standard_normal(truth.shape)
        m = sm.match_state(X, C, err, lambda c: sm.concentration_mismatch(c, ref), n_boot=100, rng=rng)
        assert not m.at_edge
        pulls.append((m.x_best - x0) / m.x_err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.3 and 0.8 < pulls.std() < 1.25


def test_unclassified_fraction_counts_what_is_outside_and_other():
    C = np.array([[[0.5, 0.3, 0.2]], [[0.1, 0.6, 0.3]]])  # (n_x=2, n_T=1, 3 species)
    out = sm.unclassified_fraction(C, keep=[True, True, False], other=np.array([[0.01], [0.02]]))
    assert out == pytest.approx([0.21, 0.32])
    with pytest.raises(ValueError, match="one flag per species"):
        sm.unclassified_fraction(C, keep=[True, False])


def test_bad_input_is_named():
    C = concentrations(X)
    with pytest.raises(ValueError, match="C_err must be >= 0"):
        sm.match_state(X, C, -np.ones_like(C), lambda c: sm.concentration_mismatch(c, C[0]))
    with pytest.raises(ValueError, match="shape"):
        sm.match_state(X[:-1], C, C, lambda c: sm.concentration_mismatch(c, C[0]))
    with pytest.raises(ValueError, match="C_ref"):
        sm.concentration_mismatch(C, C[0, :, :2])
