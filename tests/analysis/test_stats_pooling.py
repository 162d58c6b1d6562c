"""Pooled differences (the pooled ageing test) and replica means: known answers, and the error bars
they give are the right size on simulated data."""

import numpy as np
import pytest

from scaledyn.analysis.stats import pooled_difference, replica_mean


def test_pooled_difference_known_answer():
    """Equal errors σ: z = d/(σ√2) (a difference has the variance of both); four runs at z = 1 pool to
    Z = 4/√4 = 2 (Stouffer), not to the mean z = 1."""
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0]) + 0.1 * np.sqrt(2)
    r = pooled_difference(a, np.full(4, 0.1), b, np.full(4, 0.1))
    np.testing.assert_allclose(r.z, 1.0)
    assert r.z_pooled == pytest.approx(2.0) and r.n == 4 and r.n_positive == 4
    assert r.p_value == pytest.approx(0.0455, abs=1e-4)                  # two-sided, |Z| = 2
    assert r.mean_relative == pytest.approx(np.mean(0.1 * np.sqrt(2) / a))
    assert pooled_difference([1.0], [0.3], [1.0], [0.4]).z_pooled == 0.0


def test_pooled_z_is_standard_normal_without_a_difference_and_detects_a_small_drift():
    """Many pooled tests of runs whose halves agree: Z has mean 0 and standard deviation 1; a drift of
    0.5σ per run, invisible in any single run, gives Z ≈ 0.5·√n/√2 over n = 32 runs."""
    rng = np.random.default_rng(3)
    n, err = 32, rng.uniform(0.5, 2.0, (2000, 32))
    a = 10 + rng.normal(0, 1, err.shape) * err
    b = 10 + rng.normal(0, 1, err.shape) * err
    zs = np.array([pooled_difference(a[i], err[i], b[i], err[i]).z_pooled for i in range(2000)])
    assert abs(zs.mean()) < 0.1 and zs.std() == pytest.approx(1.0, abs=0.05)
    drift = np.array([pooled_difference(a[i], err[i], b[i] + 0.5 * err[i], err[i]).z_pooled for i in range(2000)])
    assert drift.mean() == pytest.approx(0.5 * np.sqrt(n) / np.sqrt(2), abs=0.1)


def test_pooled_difference_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        pooled_difference([1.0, 2.0], [0.1, 0.1], [1.0], [0.1])
    with pytest.raises(ValueError, match="a_err"):
        pooled_difference([1.0], [0.0], [1.0], [0.1])
    with pytest.raises(ValueError, match="b"):
        pooled_difference([1.0], [0.1], [np.nan], [0.1])


def test_replica_mean_known_answer_and_calibration():
    """Mean and s/√n: for (1, 2, 3, 6) the mean is 3 and s = √(14/3), error s/2; over many sets of 4
    Gaussian replicas of σ = 1 the errors are right on average: ⟨err²⟩ = σ²/4."""
    m, e = replica_mean([1.0, 2.0, 3.0, 6.0])
    assert m == 3.0 and e == pytest.approx(np.sqrt(14 / 3) / 2)
    rng = np.random.default_rng(8)
    x = rng.normal(5.0, 1.0, (4, 20000))
    m, e = replica_mean(x, axis=0)
    assert np.mean(e**2) == pytest.approx(0.25, rel=0.03)
    assert np.std(m) == pytest.approx(0.5, rel=0.03)                   # the true scatter of the mean
    m2, _ = replica_mean(np.array([[1.0, 3.0], [2.0, 6.0]]), axis=1)
    np.testing.assert_array_equal(m2, [2.0, 4.0])
    with pytest.raises(ValueError, match="at least 2 replicas"):
        replica_mean([1.0])
    with pytest.raises(ValueError, match="axis"):
        replica_mean([1.0, 2.0], axis=1)
