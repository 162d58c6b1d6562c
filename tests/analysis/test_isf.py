"""F_s(k,t) and τα against analytic cases (ballistic and Brownian particles) and bad input."""

import numpy as np
import pytest
from scipy.special import j0

from scaledyn.analysis import isf


def ballistic(n=4000, dim=3, T=0.7, m=1.0, seed=1, times=None):
    """Free particles with Maxwell velocities: r(t) = r0 + v t, F_s = exp(−k²T t²/(2m))."""
    rng = np.random.default_rng(seed)
    v = rng.normal(0.0, np.sqrt(T / m), (n, dim))
    r0 = rng.uniform(0.0, 10.0, (n, dim))
    times = np.linspace(0.0, 1.5, 31) if times is None else times
    return times, r0[None] + times[:, None, None] * v[None]


def brownian(n=1500, dim=2, D=0.05, dt=0.01, n_blocks=16, n_per_block=9, seed=2):
    """Gaussian displacements sampled in log-spaced blocks: F_s = exp(−k² D t)."""
    rng = np.random.default_rng(seed)
    steps = isf.log_block_steps(n_blocks, n_per_block)
    inc = rng.normal(0.0, np.sqrt(2 * D * dt), (steps[-1], n, dim))
    walk = np.concatenate([np.zeros((1, n, dim)), np.cumsum(inc, axis=0)])
    return steps, steps * dt, walk[steps]


def test_isotropic_average_matches_sinc_and_bessel():
    x = np.linspace(0.0, 60.0, 3001)
    assert np.allclose(isf.isotropic_average(x, 3), np.sinc(x / np.pi), atol=1e-12)
    assert np.allclose(isf.isotropic_average(x, 2), j0(x), atol=1e-7)


@pytest.mark.parametrize("dim", [2, 3])
def test_ballistic_maxwell(dim):
    T, m, k = 0.7, 1.0, 5.1
    times, pos = ballistic(dim=dim, T=T, m=m)
    res = isf.self_isf(times, pos, k)
    exact = np.exp(-k**2 * T * res.t**2 / (2 * m))
    assert res.fs[0] == pytest.approx(1.0)
    assert np.max(np.abs(res.fs - exact)) < 0.02
    tau, _ = res.tau_alpha()
    assert tau == pytest.approx(np.sqrt(2 * m / (k**2 * T)), rel=0.02)


@pytest.mark.parametrize("dim", [2, 3])
def test_exact_and_vector_averages_agree(dim):
    times, pos = ballistic(n=1500, dim=dim, times=np.linspace(0.0, 1.0, 11))
    exact = isf.self_isf(times, pos, 6.16, method="exact")
    vec = isf.self_isf(times, pos, 6.16, method="vectors", n_vectors=256)
    assert np.allclose(exact.t, vec.t)
    assert np.max(np.abs(exact.fs - vec.fs)) < 2e-3
    # a handful of vectors is noticeably worse than the exact average: the comparison can fail
    few = isf.self_isf(times, pos, 6.16, method="vectors", n_vectors=2)
    assert np.max(np.abs(exact.fs - few.fs)) > np.max(np.abs(exact.fs - vec.fs))


def test_brownian_log_blocks_tau_and_error():
    D, k = 0.05, 6.16
    steps, times, pos = brownian(D=D)
    period = 2 ** 8
    res = isf.self_isf(times, pos, k, origins=isf.block_origins(steps, period), n_chunks=4)
    exact = np.exp(-k**2 * D * res.t)
    assert np.max(np.abs(res.fs - exact)) < 0.02
    tau, err = res.tau_alpha()
    tau_exact = 1.0 / (k**2 * D)
    assert 0 < err < 0.05 * tau_exact
    assert abs(tau - tau_exact) < max(4 * err, 0.01 * tau_exact)
    # lags inside a block are averaged over all block origins
    first_lag = np.argmin(np.abs(res.t - times[1]))
    assert res.counts[first_lag] == 16


def test_tau_alpha_interpolates_in_log_t():
    t = np.array([0.0, 1.0, 10.0, 100.0])
    fs = np.array([1.0, 0.8, 0.2, 0.0])
    level = 0.5
    expected = np.exp(np.log(1.0) + (0.8 - 0.5) / (0.8 - 0.2) * np.log(10.0))
    assert isf.tau_alpha(t, fs, level) == pytest.approx(expected)
    assert np.isnan(isf.tau_alpha(t, np.ones(4)))          # never decays
    assert isf.tau_alpha([0.0, 2.0], [1.0, 0.0], 0.5) == pytest.approx(1.0)  # linear from t = 0


def test_exact_exponential_tau():
    t = np.concatenate([[0.0], np.logspace(-3, 2, 400)])
    assert isf.tau_alpha(t, np.exp(-t / 3.0)) == pytest.approx(3.0, rel=1e-4)


def test_selection_and_log_block_steps():
    steps = isf.log_block_steps(3, 4)
    assert steps.tolist() == [0, 1, 2, 4, 8, 9, 10, 12, 16, 17, 18, 20, 24]
    assert isf.block_origins(steps, 8).tolist() == [0, 4, 8, 12]
    times, pos = ballistic(n=200)
    pos[:, 100:] = pos[:1, 100:]   # second half frozen: F_s = 1 for them
    frozen = isf.self_isf(times, pos, 5.1, select=np.arange(100, 200))
    assert np.allclose(frozen.fs, 1.0)
    mask = np.zeros(200, bool)
    mask[:100] = True
    a = isf.self_isf(times, pos, 5.1, select=mask)
    b = isf.self_isf(times, pos, 5.1, select=np.arange(100))
    assert np.allclose(a.fs, b.fs)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        ({"k": 0.0}, ValueError, "k"),
        ({"k": -1.0}, ValueError, "k"),
        ({"k": "5"}, TypeError, "k"),
        ({"method": "fft"}, ValueError, "method"),
        ({"select": np.zeros(10, bool)}, ValueError, "select"),
        ({"select": [0, 99]}, ValueError, "select"),
        ({"origins": [50]}, ValueError, "origins"),
        ({"n_chunks": 0}, ValueError, "n_chunks"),
    ],
)
def test_bad_arguments(kwargs, exc, word):
    times, pos = ballistic(n=10, times=np.linspace(0, 1, 5))
    args = {"k": 5.1} | kwargs
    with pytest.raises(exc, match=word):
        isf.self_isf(times, pos, **args)


def test_bad_arrays():
    times, pos = ballistic(n=10, times=np.linspace(0, 1, 5))
    with pytest.raises(ValueError, match="times"):
        isf.self_isf(times[::-1], pos, 5.1)
    with pytest.raises(ValueError, match="frames"):
        isf.self_isf(times[:-1], pos, 5.1)
    bad = pos.copy()
    bad[2, 3, 0] = np.nan
    with pytest.raises(ValueError, match="positions"):
        isf.self_isf(times, bad, 5.1)
    with pytest.raises(ValueError, match="positions"):
        isf.self_isf(times, pos[..., :1], 5.1)
    with pytest.raises(ValueError, match="positions"):
        isf.self_isf(times, pos[:, :, 0], 5.1)
    with pytest.raises(ValueError, match="t must"):
        isf.tau_alpha([0.0, 2.0, 1.0], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="fs"):
        isf.tau_alpha([0.0, 1.0, 2.0], [1.0, 0.5])
    with pytest.raises(ValueError, match="dim"):
        isf.isotropic_average([1.0], 4)


def test_write_and_read_round_trip(tmp_path):
    steps, times, pos = brownian(n=200, n_blocks=6, n_per_block=6)
    res = isf.self_isf(times, pos, 6.16, origins=isf.block_origins(steps, 32), n_chunks=3)
    path = tmp_path / "fs.csv"
    res.write(path)
    back = isf.read_isf(path)
    assert back.k == res.k and back.dim == 2 and back.method == "exact"
    assert np.allclose(back.fs, res.fs, rtol=1e-11) and np.array_equal(back.counts, res.counts)
    assert np.allclose(back.fs_chunks, res.fs_chunks, rtol=1e-11, equal_nan=True)
    assert back.tau_alpha() == pytest.approx(res.tau_alpha(), rel=1e-9, nan_ok=True)


def test_fs_error_bars_are_calibrated_against_independent_repetitions():
    # The error of F_s is the scatter of the chunk means over √n_chunks. Over independent Brownian
    # systems, the spread of F_s must match the reported error: a 1/n instead of 1/√n (a factor 2
    # with four chunks) or a missing ddof shows up as a ratio far from 1.
    D, k, period = 0.05, 6.16, 2 ** 6
    fs, err = [], []
    for seed in range(24):
        steps, times, pos = brownian(n=60, D=D, n_blocks=16, n_per_block=7, seed=100 + seed)
        res = isf.self_isf(times, pos, k, origins=isf.block_origins(steps, period), n_chunks=4)
        keep = (res.t > 0.2) & (res.t < 0.5 * times[-1])
        fs.append(res.fs[keep])
        err.append(res.fs_err[keep])
    ratio = np.mean(np.std(fs, axis=0, ddof=1)) / np.mean(err, axis=0).mean()
    assert 0.7 < ratio < 1.45, ratio
