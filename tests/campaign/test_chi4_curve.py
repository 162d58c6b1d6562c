"""chi4_curve: the χ4 of a production trajectory sampled like the campaigns (log-spaced blocks plus an
even grid), checked against independent Brownian walkers, whose χ4 is the binomial q(1 − q)."""

import numpy as np
import pytest

from scaledyn.analysis.liquid_geometry import chi4
from scaledyn.campaign.jobs import CHI4_MAX_ORIGINS, chi4_curve
from scaledyn.md.run import log_schedule


def sampled_walkers(n=200, total=200000, block=20000, every=1000, s=0.02, seed=5, start=1000):
    """Walkers at the frames a campaign writes: log_schedule(total, block) ∪ multiples of ``every``; the
    steps start at ``start`` (a production run's first step need not be 0). dt = 0.01: a step of s/10."""
    steps = np.union1d(log_schedule(total, block), np.arange(0, total + 1, every))
    rng = np.random.default_rng(seed)
    gaps = np.diff(steps)
    moves = rng.normal(0, 1, (gaps.size, n, 2)) * (0.1 * s * np.sqrt(gaps))[:, None, None]
    pos = rng.uniform(0, 30, (n, 2)) + np.concatenate([np.zeros((1, n, 2)), np.cumsum(moves, axis=0)])
    return steps + start, pos


def test_independent_walkers_give_the_binomial_chi4_with_many_origins_at_the_peak():
    """s = 0.02 per unit time: q = 1/2 at t = a²/(2 s² ln 2) = 162 (grid lags are multiples of 10),
    height 1/4; 200 even frames give ≤ 100 origins at each grid lag, 10 block starts below it."""
    steps, pos = sampled_walkers()
    r = chi4_curve(steps, pos, dt=0.01, block=20000, every=1000)
    assert np.all(np.diff(r.t) > 0) and r.t[0] == 0 and r.t[-1] == pytest.approx(1000.0)   # half the run
    fine = r.t < 10.0
    assert fine.sum() > 10 and np.all(r.counts[fine] == 10)                                # the block starts
    assert r.counts[~fine][0] == CHI4_MAX_ORIGINS                                          # subsampled
    q = 1 - np.exp(-0.09 / (2 * 4e-4 * r.t[1:]))
    np.testing.assert_allclose(r.q[1:], q, atol=0.05)
    window = (r.t >= 20) & (r.t <= 100)       # lags ≪ the span (2000): origins nearly independent
    assert np.mean(r.chi4[window] / (r.q[window] * (1 - r.q[window]))) == pytest.approx(1.0, abs=0.15)
    assert r.chi4_peak == pytest.approx(0.25, abs=0.06) and 60 <= r.t_peak <= 300


def test_the_fine_part_is_the_log_frames_from_the_block_starts():
    steps, pos = sampled_walkers(total=4000, block=400, every=40, n=20)
    r = chi4_curve(steps, pos, dt=0.01, block=400, every=40)
    rel = steps - steps[0]
    log = np.isin(rel, log_schedule(4000, 400))
    direct = chi4(rel[log] * 0.01, pos[log], origins=np.flatnonzero((rel[log] % 400 == 0) & (rel[log] < 4000)),
                  max_lag=0.399)
    np.testing.assert_array_equal(r.chi4[r.t < 0.4], direct.chi4)


def test_bad_periods_are_named():
    steps, pos = sampled_walkers(total=400, block=40, every=4, n=5)
    with pytest.raises(ValueError, match="block and every"):
        chi4_curve(steps, pos, 0.01, 0, 4)
