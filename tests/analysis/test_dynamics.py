"""MSD, D, KWW, cage-relative motion and the Stokes–Einstein product on cases with known answers:
ballistic and Brownian particles, the exact Langevin MSD, synthetic stretched exponentials, a uniform
drift and a long-wavelength displacement field, and bad input."""

import numpy as np
import pytest

from scaledyn.analysis import cage as cg
from scaledyn.analysis import diffusion as dif
from scaledyn.analysis import isf, kww
from scaledyn.md.lattices import triangular_lattice


def ballistic(speeds, dim=2, times=None, seed=1):
    """Free particles r = r0 + v t with |v| = ``speeds`` in random directions."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(len(speeds), dim))
    v = np.asarray(speeds, float)[:, None] * u / np.linalg.norm(u, axis=1, keepdims=True)
    times = np.linspace(0.0, 2.0, 21) if times is None else times
    return times, rng.uniform(0, 10, (len(speeds), dim))[None] + times[:, None, None] * v[None]


def brownian(n, dim, D, dt, n_frames, seed):
    """Independent Gaussian walkers: MSD = 2 d D t."""
    rng = np.random.default_rng(seed)
    inc = rng.normal(0.0, np.sqrt(2 * D * dt), (n_frames - 1, n, dim))
    return np.arange(n_frames) * dt, np.concatenate([np.zeros((1, n, dim)), np.cumsum(inc, axis=0)])


# --------------------------------------------------------------------------------------------------
# MSD
@pytest.mark.parametrize("dim", [2, 3])
def test_ballistic_msd_is_v2_t2_per_species_and_never_diffusive(dim):
    types = np.repeat([0, 1], 50)
    times, pos = ballistic(np.where(types == 0, 1.0, 2.0), dim=dim)
    m = dif.mean_squared_displacement(times, pos)
    assert np.allclose(m.msd, 2.5 * m.t**2, rtol=1e-10, atol=1e-12)         # (1 + 4)/2 t²
    big = dif.mean_squared_displacement(times, pos, select=types == 1)
    assert np.allclose(big.msd, 4.0 * big.t**2, rtol=1e-10, atol=1e-12)
    assert np.allclose(dif.mean_squared_displacement(times, pos, select=np.flatnonzero(types == 0)).msd, m.t**2)
    err = big.msd_err[np.isfinite(big.msd_err)]                # NaN where one chunk alone has the lag
    assert err.size > 10 and np.all(err < 1e-9)                # every origin sees the same v² t²
    assert np.allclose(dif.local_exponent(m.t, m.msd)[2:], 2.0)
    fit = dif.diffusion_constant(m)
    assert np.isnan(fit.D) and np.isnan(fit.D_err) and "no diffusive window" in fit.reason


def test_msd_is_the_average_over_origins_of_the_brute_force_sum():
    rng = np.random.default_rng(3)
    times = np.cumsum(rng.uniform(0.5, 1.5, 30))
    times = np.concatenate([[0.0], times])
    pos = np.cumsum(rng.normal(size=(31, 7, 2)), axis=0) ** 2       # a non-stationary motion: origins matter
    origins, max_lag = [0, 3, 4, 10, 17], 9.0
    m = dif.mean_squared_displacement(times, pos, origins=origins, max_lag=max_lag, n_chunks=2)
    for lag, value, count in zip(m.t, m.msd, m.counts):
        pairs = [(o, f) for o in origins for f in range(o, 31) if abs(times[f] - times[o] - lag) < 1e-9]
        assert len(pairs) == count
        assert value == pytest.approx(np.mean([np.mean(np.sum((pos[f] - pos[o]) ** 2, axis=1)) for o, f in pairs]))
    assert m.t.max() <= max_lag


@pytest.mark.parametrize("dim", [2, 3])
def test_brownian_msd_is_2dDt_and_D_is_recovered(dim):
    D = 0.1
    times, pos = brownian(400, dim, D, 0.05, 801, seed=dim)
    m = dif.mean_squared_displacement(times, pos, max_lag=2.0, n_chunks=8)
    exact = 2 * dim * D * m.t
    pull = (m.msd[1:] - exact[1:]) / m.msd_err[1:]
    assert np.all(np.abs(pull) < 5)
    fit = dif.diffusion_constant(m)
    assert fit.reason is None and fit.n_points >= 4 and fit.t_max == pytest.approx(2.0)
    assert 0 < fit.D_err < 0.05 * D
    assert abs(fit.D - D) < 3 * fit.D_err


def test_the_error_of_D_is_calibrated_over_seeds():
    """Over 200 independent Brownian runs the pulls (D − D_true)/D_err have mean ≈ 0 and std ≈ 1.
    Lags (≤ 0.5) are short against a chunk of origins (5 τ), so the 20 chunks are nearly independent
    and the pull follows Student's t with 19 degrees of freedom (std 1.05)."""
    D = 0.1
    pulls = []
    for seed in range(200):
        times, pos = brownian(20, 2, D, 0.1, 1001, seed)
        fit = dif.diffusion_constant(dif.mean_squared_displacement(times, pos, max_lag=0.5, n_chunks=20))
        pulls.append((fit.D - D) / fit.D_err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.2
    assert 0.85 < pulls.std() < 1.25


def test_diffusive_window_of_the_langevin_msd():
    """The exact Langevin MSD 2dD[t − t0(1 − e^(−t/t0))]: ballistic for t ≪ t0, 2dD(t − t0) for
    t ≫ t0. The window starts where the local exponent reaches 1.1 (or at after_tau·τα), the slope
    gives D and the intercept −2dD t0 (a fit through the origin would not)."""
    D, t0, dim = 0.3, 1.0, 2
    t = np.concatenate([[0.0], np.geomspace(1e-3, 300.0, 120)])
    msd = 2 * dim * D * (t - t0 * (1 - np.exp(-t / t0)))
    rng = np.random.default_rng(0)
    chunks = msd * (1 + 1e-4 * rng.normal(size=(4, t.size)))
    curve = dif.MSDResult(t=t, msd=msd, msd_err=np.zeros_like(t), counts=np.ones(t.size, int), msd_chunks=chunks,
                          dim=dim)
    alpha = dif.local_exponent(t, msd)
    fit = dif.diffusion_constant(curve)
    first = t[np.flatnonzero(np.abs(alpha - 1) <= 0.1)[0]]
    assert fit.t_min == first and fit.t_max == pytest.approx(300.0)
    assert fit.D == pytest.approx(D, rel=2e-3) and fit.intercept == pytest.approx(-2 * dim * D * t0, rel=0.05)
    assert 0 < fit.D_err < 1e-3 * D
    late = dif.diffusion_constant(curve, tau_alpha=10.0, after_tau=3.0)
    assert late.t_min >= 30.0 and late.D == pytest.approx(D, rel=1e-3)
    none = dif.diffusion_constant(curve, tau_alpha=200.0)
    assert np.isnan(none.D) and "t >= 400" in none.reason


def test_msd_curve_round_trip(tmp_path):
    times, pos = brownian(30, 2, 0.1, 0.1, 50, seed=1)
    box = np.array([50.0, 50.0])
    m = dif.mean_squared_displacement(times, pos + 25.0, max_lag=2.0, cage=cg.Cage(box, 3.0))
    m.write(tmp_path / "msd.csv")
    back = dif.read_msd(tmp_path / "msd.csv")
    assert back.dim == 2 and back.cage_cutoff == 3.0 and np.allclose(back.msd, m.msd, rtol=1e-10)
    assert np.allclose(back.msd_chunks, m.msd_chunks, rtol=1e-10, equal_nan=True)
    plain = dif.mean_squared_displacement(times, pos, max_lag=2.0)
    plain.write(tmp_path / "plain.csv")
    assert np.isnan(dif.read_msd(tmp_path / "plain.csv").cage_cutoff)
    (tmp_path / "bad.csv").write_text("step,time\n1,2\n")
    with pytest.raises(ValueError, match=r"bad\.csv is not an MSD curve"):
        dif.read_msd(tmp_path / "bad.csv")


# --------------------------------------------------------------------------------------------------
# KWW
TK = np.geomspace(0.01, 100.0, 60)


def stretched(t, A, tau, beta):
    """A exp[−(t/τ)^β], written out here independently of the module."""
    return A * np.exp(-((t / tau) ** beta))


def test_kww_recovers_a_stretched_decay_within_its_errors():
    rng = np.random.default_rng(5)
    y = stretched(TK, 0.8, 5.0, 0.6) + rng.normal(0, 0.003, TK.size)
    fit = kww.fit_kww(TK, y)
    assert fit.reason is None
    for value, err, true in ((fit.A, fit.A_err, 0.8), (fit.tau_K, fit.tau_K_err, 5.0), (fit.beta, fit.beta_err, 0.6)):
        assert 0 < err < 0.05 * true and abs(value - true) < 3 * err
    assert y[TK == fit.t_min][0] < 0.6 <= y[TK < fit.t_min].min() and y[TK == fit.t_max][0] > 0.05
    exact = kww.fit_kww(TK, stretched(TK, 0.95, 2.0, 1.0))
    assert exact.beta == pytest.approx(1.0, abs=1e-6) and exact.mean_tau == pytest.approx(2.0, rel=1e-6)
    assert np.allclose(kww.kww(TK, 0.8, 5.0, 0.6), stretched(TK, 0.8, 5.0, 0.6), rtol=1e-14)


def test_kww_errors_are_calibrated_over_seeds():
    pulls = []
    for seed in range(300):
        rng = np.random.default_rng(seed)
        fit = kww.fit_kww(TK, stretched(TK, 0.8, 5.0, 0.6) + rng.normal(0, 0.003, TK.size))
        pulls.append([(fit.A - 0.8) / fit.A_err, (fit.tau_K - 5.0) / fit.tau_K_err, (fit.beta - 0.6) / fit.beta_err])
    pulls = np.array(pulls)
    assert np.all(np.abs(pulls.mean(axis=0)) < 0.2)
    assert np.all((pulls.std(axis=0) > 0.85) & (pulls.std(axis=0) < 1.15))


def test_kww_chunk_errors_match_the_scatter_of_independent_chunks():
    """Ten chunk curves with independent noise σ; their mean has noise σ/√10, and the chunk
    scatter of the fitted parameters must give about the covariance errors of that mean curve."""
    rng = np.random.default_rng(11)
    chunks = stretched(TK, 0.8, 5.0, 0.6) + rng.normal(0, 0.01, (10, TK.size))
    mean = chunks.mean(axis=0)
    by_chunks = kww.fit_kww(TK, mean, chunks=chunks)
    by_cov = kww.fit_kww(TK, mean, np.full(TK.size, 0.01 / np.sqrt(10)))
    assert by_chunks.beta == pytest.approx(by_cov.beta, rel=1e-6)   # the same curve is fitted
    for name in ("A_err", "tau_K_err", "beta_err"):
        assert 0.5 < getattr(by_chunks, name) / getattr(by_cov, name) < 2.0
    assert abs(by_chunks.beta - 0.6) < 3 * by_chunks.beta_err


def test_kww_refuses_a_curve_without_alpha_decay():
    fit = kww.fit_kww(TK, np.full(TK.size, 0.9))
    assert np.isnan(fit.beta) and "no alpha decay" in fit.reason
    # NaN errors leave their lags out
    err = np.full(TK.size, 0.01)
    err[::2] = np.nan
    fit = kww.fit_kww(TK, stretched(TK, 0.8, 5.0, 0.6), err)
    assert fit.beta == pytest.approx(0.6, abs=1e-6) and fit.n_points < 20


# --------------------------------------------------------------------------------------------------
# cage-relative motion
def lattice_with_field(field, n_frames=12, a=1.1, nx=16, ny=16):
    """A triangular lattice at rest displaced by ``field(r, t)``: (times, positions, box)."""
    r0, box = triangular_lattice(a, nx, ny)
    times = np.arange(n_frames, dtype=float)
    return times, np.array([r0 + field(r0, t) for t in times]), box


def test_cage_relative_motion_removes_a_uniform_drift_exactly():
    rng = np.random.default_rng(2)
    drift = lambda t: np.array([0.3, -0.2]) * t + 0.05 * np.sin(t)  # noqa: E731
    times, pos, box = lattice_with_field(lambda r, t: drift(t))
    pos = pos + rng.normal(0, 0.05, pos.shape)                 # thermal jiggle on top
    still = pos - np.array([drift(t) for t in times])[:, None, :]
    cage = cg.Cage(box, 1.32)
    moving = dif.mean_squared_displacement(times, pos, cage=cage)
    assert np.allclose(moving.msd, dif.mean_squared_displacement(times, still, cage=cage).msd, rtol=1e-9, atol=1e-12)
    standard = dif.mean_squared_displacement(times, pos)
    assert standard.msd[-1] > 10 * moving.msd[-1]               # the standard MSD sees the drift
    k = 6.16
    fs_cr = isf.self_isf(times, pos, k, cage=cage)
    assert np.allclose(fs_cr.fs, isf.self_isf(times, still, k, cage=cage).fs, atol=1e-12)
    assert np.max(np.abs(isf.self_isf(times, pos, k).fs - fs_cr.fs)) > 0.5


def test_cage_relative_motion_removes_a_long_wavelength_field():
    """u = A sin(0.3 t) sin(q y) x̂ on a triangular lattice (spacing a, q = 2π/L_y): the standard MSD is
    A² sin²(0.3 t)/2. The six neighbours sit at Δy = 0, 0, ±a√3/2, ±a√3/2, so the cage mean of
    sin(q(y + Δy)) is c sin(q y) with c = [2 + 4 cos(q a √3/2)]/6, and the cage-relative MSD is
    exactly (1 − c)² times the standard one: (q a)⁴/16 ≈ 3e-3 for this long wave."""
    a, ny, amp = 1.1, 16, 0.4
    q = 2 * np.pi / (ny * a * np.sqrt(3) / 2)

    def field(r, t):
        return np.column_stack([amp * np.sin(0.3 * t) * np.sin(q * r[:, 1]), 0.0 * r[:, 1]])
    times, pos, box = lattice_with_field(field, a=a, ny=ny)
    standard = dif.mean_squared_displacement(times, pos, origins=[0])
    relative = dif.mean_squared_displacement(times, pos, origins=[0], cage=cg.Cage(box, 1.32))
    assert np.allclose(standard.msd, amp**2 * np.sin(0.3 * times) ** 2 / 2, rtol=1e-9, atol=1e-15)
    c = (2 + 4 * np.cos(q * a * np.sqrt(3) / 2)) / 6
    assert np.allclose(relative.msd, (1 - c) ** 2 * standard.msd, rtol=1e-9, atol=1e-15)
    assert np.all(relative.msd[1:] < 5e-3 * standard.msd[1:])


def test_cage_relative_displacements_by_hand():
    box = np.array([10.0, 10.0])
    origin = np.array([[1.0, 1.0], [2.0, 1.0], [1.0, 2.0], [9.5, 1.0], [5.0, 6.0]])
    later = origin + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 3.0], [-1.0, -2.0], [0.5, 0.5]])
    d = cg.cage_relative_displacements(origin, later, box, 1.6)
    # 0 has neighbours 1, 2 and 3 (across the boundary: 1.5 away); 4 has none and keeps its displacement
    assert np.allclose(d[0], [1.0, 0.0] - np.mean([[0, 1], [0, 3], [-1, -2]], axis=0))
    assert np.allclose(d[4], [0.5, 0.5])
    M = cg.cage_average(origin, box, 1.6)
    assert np.allclose(np.asarray(M.sum(axis=1)).ravel(), [1, 1, 1, 1, 0])


# --------------------------------------------------------------------------------------------------
# Stokes–Einstein
def test_stokes_einstein_products_and_propagated_errors():
    se = dif.stokes_einstein([0.5, 0.2, 0.1], [2.0, 0.1, np.nan], [0.2, 0.01, np.nan], [3.0, 40.0, 500.0],
                             [0.3, 2.0, 10.0])
    assert np.allclose(se.D_tau[:2], [6.0, 4.0]) and np.isnan(se.D_tau[2])
    assert np.allclose(se.D_tau_err[:2], [6.0 * np.hypot(0.1, 0.1), 4.0 * np.hypot(0.1, 0.05)])
    assert np.allclose(se.D_tau_over_T[:2], [12.0, 20.0])
    assert np.allclose(se.D_tau_over_T_err[:2], se.D_tau_err[:2] / [0.5, 0.2])


# --------------------------------------------------------------------------------------------------
# bad input
T3, P3 = np.arange(3.0), np.zeros((3, 4, 2))
GOOD_MSD = dif.mean_squared_displacement(T3, P3 + np.arange(3.0)[:, None, None])


@pytest.mark.parametrize("call, error, match", [
    (lambda: dif.mean_squared_displacement(T3[::-1], P3), ValueError, "times must be strictly increasing"),
    (lambda: dif.mean_squared_displacement(T3, P3[:2]), ValueError, "positions has 2 frames"),
    (lambda: dif.mean_squared_displacement(T3, np.zeros((3, 4, 4))), ValueError, r"positions.shape\[2\]"),
    (lambda: dif.mean_squared_displacement(T3, P3, select=[7]), ValueError, "select"),
    (lambda: dif.mean_squared_displacement(T3, P3, origins=[5]), ValueError, "origins"),
    (lambda: dif.mean_squared_displacement(T3, P3, max_lag=-1.0), ValueError, "max_lag"),
    (lambda: dif.mean_squared_displacement(T3, P3, n_chunks=0), ValueError, "n_chunks"),
    (lambda: dif.diffusion_constant(np.ones(3)), TypeError, "msd must be an MSDResult"),
    (lambda: dif.diffusion_constant(GOOD_MSD, tau_alpha=-1.0), ValueError, "tau_alpha"),
    (lambda: dif.diffusion_constant(GOOD_MSD, tolerance=0.0), ValueError, "tolerance"),
    (lambda: dif.diffusion_constant(GOOD_MSD, span=1.0), ValueError, "span"),
    (lambda: dif.local_exponent([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "msd and t"),
    (lambda: kww.fit_kww(TK[::-1], TK), ValueError, "t must be strictly increasing"),
    (lambda: kww.fit_kww(TK, TK[:3]), ValueError, "fs and t"),
    (lambda: kww.fit_kww(TK, TK, -np.ones(TK.size)), ValueError, "fs_err"),
    (lambda: kww.fit_kww(TK, TK, upper=0.01), ValueError, "lower < upper"),
    (lambda: kww.fit_kww(TK, TK, chunks=np.ones((2, 3))), ValueError, "chunks"),
    (lambda: cg.Cage([10.0, 10.0], 6.0), ValueError, "cutoff"),
    (lambda: cg.Cage([10.0], 1.0), ValueError, r"len\(box\)"),
    (lambda: cg.cage_average(np.zeros((4, 2)), [10.0, 10.0, 10.0], 1.0), ValueError, "box must have 2"),
    (lambda: cg.cage_relative_displacements(np.zeros((4, 2)), np.zeros((3, 2)), [10.0, 10.0], 1.0), ValueError,
     "later"),
    (lambda: dif.mean_squared_displacement(T3, P3, cage=cg.Cage([10.0, 10.0, 10.0], 1.0)), ValueError, "box"),
    (lambda: dif.stokes_einstein([0.5, -1.0], [1, 1], [0, 0], [1, 1], [0, 0]), ValueError, "T must be > 0"),
    (lambda: dif.stokes_einstein([0.5], [1, 1], [0, 0], [1, 1], [0, 0]), ValueError, "D must have the length"),
    (lambda: dif.stokes_einstein([0.5], [1.0], [-0.1], [1.0], [0.0]), ValueError, "D_err must be >= 0"),
    (lambda: dif.stokes_einstein([0.5], [1.0], [0.1], [0.0], [0.0]), ValueError, "tau_alpha must be > 0"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
