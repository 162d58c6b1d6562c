"""Liquid geometry: contacts, clusters and spacing of selected particles, χ4 and mobile clusters.

Known answers: on a lattice with shuffled labels the contact ratio is 1 on average and a planted
compact blob makes it large and forms one cluster; hand-made clusters give S exactly; Poisson points
match the analytic nearest-neighbour distance; independent walkers give χ4 = q(1 − q), walkers
moving together N q(1 − q).
"""

import numpy as np
import pytest
from scipy.special import gamma

from scaledyn.analysis import liquid_geometry as lg
from scaledyn.analysis.neighbours import count_neighbours
from scaledyn.analysis.species import binary3d_scheme, hump2d_scheme, liquid_concentration, snapshot_concentrations


def square_lattice(n, spacing=1.0):
    """n × n square lattice (spacing σ) and its box."""
    g = np.arange(n) * spacing
    return np.array([(x, y) for x in g for y in g], float), np.full(2, n * spacing)


def cubic_lattice(n, spacing=1.0):
    g = np.arange(n) * spacing
    return np.array(np.meshgrid(g, g, g, indexing="ij")).reshape(3, -1).T.copy(), np.full(3, n * spacing)


def random_binary(seed):
    """700 random points of two types in a 9σ box, with a wide binary scheme (about half liquid)."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 9.0, (700, 3))
    types = rng.integers(0, 2, 700)
    return pos, np.full(3, 9.0), types, binary3d_scheme(small=(0, 20), large=(0, 26), liquid_max=(8, 13))


def random_mask(n, n_sel, seed):
    mask = np.zeros(n, bool)
    mask[np.random.default_rng(seed).choice(n, n_sel, replace=False)] = True
    return mask


# --------------------------------------------------------------------------------------------------
# Liquid mask
# --------------------------------------------------------------------------------------------------
def test_liquid_mask_square_lattice():
    """Square lattice, spacing 1: four neighbours within 1.32 (the diagonal is 1.414), species "4"."""
    pos, box = square_lattice(10)
    scheme = hump2d_scheme()                                  # liquid 2, 5, 6
    assert not lg.liquid_mask(pos, box, None, scheme).any()
    assert lg.liquid_mask(pos, box, None, scheme, ["4"]).all()
    assert not lg.liquid_mask(pos, box, None, scheme, ["5", "6"]).any()


def test_liquid_mask_agrees_with_the_concentrations():
    """The fraction of liquid particles is C_liq of species.snapshot_concentrations."""
    pos, box, types, scheme = random_binary(3)
    c, _ = snapshot_concentrations(pos, box, types, scheme)
    mask = lg.liquid_mask(pos, box, types, scheme)
    assert 0.1 < mask.mean() < 0.9
    assert mask.mean() == pytest.approx(liquid_concentration(c, scheme), abs=1e-12)


def test_liquid_geometry_uses_the_scheme_cutoffs_and_types():
    """The one-call summary measures with the scheme's per-type cutoffs and the particle types."""
    pos, box, types, scheme = random_binary(8)
    g = lg.liquid_geometry(pos, box, types, scheme, n_perm=10, seed=4)
    np.testing.assert_array_equal(g.mask, lg.liquid_mask(pos, box, types, scheme))
    assert g.contacts == lg.contact_statistics(pos, box, g.mask, scheme.cutoff, types, n_perm=10, seed=4)
    assert g.clusters.mean_size == lg.clusters(pos, box, g.mask, scheme.cutoff, types, n_perm=10, seed=4).mean_size
    assert g.nearest == lg.nearest_liquid_distance(pos, box, g.mask, n_perm=10, seed=4)


def test_other_particles_are_not_liquid():
    """A count outside the scheme ("other") is never liquid, whatever the labels."""
    pos, box = square_lattice(10)                             # every particle has 4 neighbours
    scheme = hump2d_scheme(counts=(5, 6), liquid=(5, 6))      # "4" is no species: all "other"
    assert not lg.liquid_mask(pos, box, None, scheme).any()


# --------------------------------------------------------------------------------------------------
# Contacts
# --------------------------------------------------------------------------------------------------
def test_contact_pairs_match_neighbour_counts():
    """Per-type cutoffs, strict inequality and minimum image as in count_neighbours."""
    rng = np.random.default_rng(5)
    box = np.array([8.0, 9.0, 10.0])
    pos = rng.uniform(-10, 20, (600, 3))                      # unwrapped
    types = rng.integers(0, 2, 600)
    cut = binary3d_scheme().cutoff
    i, j = lg.contact_pairs(pos, box, cut, types)
    degree = np.bincount(i, minlength=600) + np.bincount(j, minlength=600)
    np.testing.assert_array_equal(degree, count_neighbours(pos, box, types, cut))
    lattice, side = square_lattice(8)                         # contacts exactly at the cutoff do not count
    assert lg.contact_pairs(lattice, side, 1.0)[0].size == 0
    assert lg.contact_pairs(lattice, side, 1.0 + 1e-9)[0].size == 128


def test_random_labels_give_ratio_one_small_system():
    """8 × 8 lattice, 8 liquid: the finite-N expectation (N_L − 1)/(N − 1) is 11 % below N_L/N, and
    the shuffled labels average to ratio 1 only with it."""
    pos, box = square_lattice(8)
    mask = random_mask(64, 8, 1)
    c = lg.contact_statistics(pos, box, mask, 1.1, n_perm=4000, seed=2)
    assert c.expected == pytest.approx(7 / 63)
    assert c.n_contacts == 128
    assert abs(c.null_mean - 1.0) < 4 * c.null_std / np.sqrt(4000)
    # regular lattice: Σ k(K_L − k)/((2E − 1) K_L) with k = 4, K_L = 32, E = 128
    assert c.expected_degree == pytest.approx(8 * 4 * 28 / (255 * 32))


def test_random_labels_give_ratio_one_and_a_blob_much_more():
    pos, box = cubic_lattice(12)                              # 1728 sites, 6 contacts each
    mask = random_mask(pos.shape[0], 300, 4)
    c = lg.contact_statistics(pos, box, mask, 1.1, n_perm=200)
    assert abs(c.ratio - 1.0) < 3 * c.null_std and abs(c.z) < 3
    d = pos - 6.0
    blob = np.sum(d * d, axis=1) < 4.0**2                     # a compact ball of liquid sites
    b = lg.contact_statistics(pos, box, blob, 1.1, n_perm=200)
    assert b.ratio > 4 and b.z > 20


# --------------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------------
def test_cluster_sizes_known_answer_across_the_boundary():
    """On a 10 × 10 lattice: a 5-site cluster wrapping around x = 0, a 3-site line, two isolated
    sites. S = (25 + 9 + 1 + 1)/(5 + 3 + 1 + 1) = 3.6 (the plain mean would be 2.5)."""
    pos, box = square_lattice(10)
    site = {tuple(p): k for k, p in enumerate(pos.astype(int))}
    chosen = [(8, 0), (9, 0), (0, 0), (1, 0), (0, 1),         # wraps: 9 and 0 are neighbours
              (4, 5), (4, 6), (4, 7), (7, 7), (2, 3)]
    mask = np.zeros(100, bool)
    mask[[site[c] for c in chosen]] = True
    cl = lg.clusters(pos, box, mask, 1.1, n_perm=20)
    np.testing.assert_array_equal(cl.sizes, [5, 3, 1, 1])
    np.testing.assert_array_equal(cl.n_s, [0, 2, 0, 1, 0, 1])
    assert cl.mean_size == pytest.approx(3.6)
    assert cl.largest == 5


def test_random_labels_clusters_match_the_null_and_a_blob_does_not():
    pos, box = cubic_lattice(12)
    mask = random_mask(pos.shape[0], 300, 7)                  # 17 %, below site percolation (31 %)
    cl = lg.clusters(pos, box, mask, 1.1, n_perm=60)
    assert abs(cl.mean_size - cl.null_mean_size) < 3 * cl.null_mean_size_std
    assert cl.null_mean_size < 5
    d = pos - 6.0
    blob = np.sum(d * d, axis=1) < 4.0**2
    b = lg.clusters(pos, box, blob, 1.1, n_perm=20)
    assert b.largest == blob.sum() and b.mean_size == blob.sum()
    assert b.null_largest < 0.2 * blob.sum()


# --------------------------------------------------------------------------------------------------
# Nearest-liquid distance
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim, L", [(2, 60.0), (3, 16.0)])
def test_nearest_distance_of_poisson_points(dim, L):
    """Liquid particles placed at random: r̄₁ is the analytic Γ(1 + 1/d)/(ρ_L V_d)^{1/d} within its
    error, whatever the other particles do; ξ is a fixed multiple of it."""
    rng = np.random.default_rng(11 + dim)
    pos = rng.uniform(0, L, (3000, dim))
    mask = random_mask(3000, 1000, dim)
    nl = lg.nearest_liquid_distance(pos, np.full(dim, L), mask)
    rho_l = 1000 / L**dim
    v_d = np.pi if dim == 2 else 4 * np.pi / 3
    assert nl.poisson == pytest.approx(gamma(1 + 1 / dim) / (rho_l * v_d) ** (1 / dim))
    assert abs(nl.mean - nl.binomial) < 3 * nl.err
    assert abs(nl.binomial / nl.poisson - 1) < 1e-3
    assert nl.xi == pytest.approx(rho_l ** (-1 / dim))
    assert nl.c_liq == pytest.approx(1 / 3)
    assert abs(nl.null_mean - nl.binomial) < 3 * nl.err      # shuffled labels on Poisson points: Poisson too


def test_nearest_distance_null_keeps_the_packing():
    """On a square lattice (spacing 1) nearest liquid particles are ≥ 1 apart, so the label-shuffling
    null lies far above the Poisson value at 50 % liquid, and a checkerboard (nearest liquid at √2)
    lies above that null."""
    pos, box = square_lattice(20)
    checker = (pos.sum(axis=1).astype(int) % 2) == 0
    nl = lg.nearest_liquid_distance(pos, box, checker, n_perm=20)
    assert nl.mean == pytest.approx(np.sqrt(2))
    assert nl.poisson < 0.75 < 1.0 <= nl.null_mean < nl.mean - 10 * nl.null_std


def test_nearest_distance_uses_minimum_image():
    box = np.array([10.0, 10.0])
    pos = np.array([[0.2, 5.0], [9.9, 5.0], [5.0, 0.5], [5.0, 3.0]])
    nl = lg.nearest_liquid_distance(pos, box, np.array([True, True, False, False]))
    assert nl.mean == pytest.approx(0.3)


# --------------------------------------------------------------------------------------------------
# χ4 and mobile clusters
# --------------------------------------------------------------------------------------------------
def walkers(n, n_frames, step, seed, together=False):
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, step, (n_frames - 1, 1 if together else n, 2))
    start = rng.uniform(0, 20, (n, 2))
    return start + np.concatenate([np.zeros((1,) + steps.shape[1:]), np.cumsum(steps, axis=0)])


def test_chi4_of_independent_walkers_is_binomial():
    """Independent particles: N Var(Q) = q(1 − q), with q = 1 − exp(−a²/(2 s² t)) in 2D."""
    times = np.arange(3000.0)                                 # span ≫ lag: origins nearly independent
    frames = walkers(200, 3000, 0.05, 1)
    r = lg.chi4(times, frames, a=0.3, origins=np.arange(0, 2950, 5), max_lag=50.0, n_blocks=10)
    assert r.t[-1] == 50.0
    sel = r.t >= 5
    q_exact = 1 - np.exp(-0.09 / (2 * 0.0025 * r.t[sel]))
    np.testing.assert_allclose(r.q[sel], q_exact, atol=0.02)
    binom = r.q[sel] * (1 - r.q[sel])
    assert np.mean(r.chi4[sel] / binom) == pytest.approx(1.0, abs=0.1)
    assert np.sqrt(np.mean(((r.chi4[sel] - binom) / r.chi4_err[sel]) ** 2)) < 2.5    # errors of the right size
    # the peak: q = 1/2 at t = a²/(2 s² ln 2) = 26, height 1/4
    assert r.chi4_peak == pytest.approx(0.25, abs=0.06) and 15 <= r.t_peak <= 40
    assert r.chi4[0] == 0 and r.q[0] == 1


def test_chi4_of_collective_motion_scales_with_n():
    """Particles moving together: Q is 0 or 1 and χ4 = N q(1 − q); the peak grows like N."""
    times = np.arange(200.0)
    small, big = (lg.chi4(times, walkers(n, 200, 0.05, 2, together=True)) for n in (50, 200))
    np.testing.assert_allclose(big.chi4, 4 * small.chi4, rtol=1e-12)
    np.testing.assert_allclose(big.chi4, 200 * big.q * (1 - big.q), rtol=1e-9, atol=1e-12)
    assert big.chi4_peak > 30 and big.t_peak == small.t_peak


def test_mobile_clusters_find_a_moving_blob():
    """A compact blob of 64 lattice sites moves as a block by ~1.7σ per frame, the rest rattles: the
    mobile particles (5 % of 1728 = 86 ≥ 64 blob sites) form a cluster of the blob's size, random
    sets do not."""
    pos, box = cubic_lattice(12)
    rng = np.random.default_rng(9)
    blob = np.all((pos >= 2) & (pos < 6), axis=1)
    frames = [pos]
    for _ in range(6):
        nxt = frames[-1] + rng.normal(0, 0.02, pos.shape)
        nxt[blob] += rng.normal(0, 1.0, 3)
        frames.append(nxt)
    frames = np.array(frames)
    times = np.arange(7.0)
    m = lg.mobile_clusters(times, frames, box, 1.0, 1.1, fraction=0.05, n_perm=10)
    assert m.n_origins == 6 and m.largest >= 60
    assert m.null_largest < 10 and m.mean_size > 5 * m.null_mean_size


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------
def test_bad_input_is_named():
    pos, box = square_lattice(8)
    mask = random_mask(64, 8, 0)
    scheme = hump2d_scheme()
    with pytest.raises(ValueError, match="positions"):
        lg.contact_statistics(pos[:, 0], box, mask, 1.1)
    bad = pos.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="positions"):
        lg.clusters(bad, box, mask, 1.1)
    with pytest.raises(ValueError, match="mask"):
        lg.clusters(pos, box, mask[:-1], 1.1)
    with pytest.raises(ValueError, match="mask"):
        lg.nearest_liquid_distance(pos, box, mask.astype(int))
    with pytest.raises(ValueError, match="box"):
        lg.nearest_liquid_distance(pos, np.array([8.0, 8.0, 8.0]), mask)
    with pytest.raises(ValueError, match="cutoff"):
        lg.contact_statistics(pos, box, mask, 4.5)
    with pytest.raises(ValueError, match="liquid_labels"):
        lg.liquid_mask(pos, box, None, scheme, ["9"])
    with pytest.raises(TypeError, match="scheme"):
        lg.liquid_mask(pos, box, None, "hump2d")
    with pytest.raises(ValueError, match="positions"):
        lg.liquid_mask(np.zeros((5, 3)), np.ones(3) * 5, None, scheme)
    with pytest.raises(ValueError, match="n_perm"):
        lg.contact_statistics(pos, box, mask, 1.1, n_perm=1)
    times = np.arange(5.0)
    frames = np.zeros((5, 10, 2))
    with pytest.raises(ValueError, match="a must be positive"):
        lg.chi4(times, frames, a=-0.3)
    with pytest.raises(ValueError, match="a must be finite"):
        lg.chi4(times, frames, a=np.nan)
    with pytest.raises(ValueError, match="frames"):
        lg.chi4(times, frames[:4])
    with pytest.raises(ValueError, match="times"):
        lg.chi4(times[::-1], frames)
    with pytest.raises(ValueError, match="fraction"):
        lg.mobile_clusters(times, frames, np.full(2, 10.0), 1.0, 1.1, fraction=1.5)
    with pytest.raises(ValueError, match="lag"):
        lg.mobile_clusters(times, frames, np.full(2, 10.0), 0.5, 1.1)


def test_chi4_written_and_read_back(tmp_path):
    times = np.arange(60.0)
    r = lg.chi4(times, walkers(30, 60, 0.1, 3), origins=np.arange(0, 50, 2), max_lag=20.0)
    r.write(tmp_path / "chi4.csv")
    back = lg.read_chi4(tmp_path / "chi4.csv")
    for name in ("t", "chi4", "chi4_err", "q", "counts"):
        np.testing.assert_allclose(getattr(back, name), getattr(r, name), rtol=1e-11, equal_nan=True)
    assert (back.t_peak, back.n, back.a) == (r.t_peak, 30, 0.3)
    (tmp_path / "bad.csv").write_text("# k=1\nt\n0\n")
    with pytest.raises(ValueError, match="bad.csv is not a chi4 curve"):
        lg.read_chi4(tmp_path / "bad.csv")


def test_join_chi4_takes_fine_lags_below_the_grid_and_the_grid_above():
    """Independent walkers (q = 1 − exp(−a²/(2s²t)) in 2D, χ4 = q(1 − q), peak 1/4 at t = 162): fine lags
    from a few origins below the first grid lag, the grid's many origins from there on; the peak of the
    joined curve is the grid's."""
    times = np.arange(4000.0)
    frames = walkers(200, 4000, 0.02, 4)
    short = lg.chi4(times, frames, origins=np.arange(0, 3900, 400), max_lag=29.0)
    grid = np.arange(0, 4000, 30)
    long = lg.chi4(times[grid], frames[grid], origins=np.arange(grid.size - 1), max_lag=300.0)
    j = lg.join_chi4(short, long)
    assert np.all(np.diff(j.t) > 0) and j.t[0] == 0
    np.testing.assert_array_equal(j.chi4[j.t < 30], short.chi4[short.t < 30])
    np.testing.assert_array_equal(j.chi4[j.t >= 30], long.chi4[long.t > 0])
    assert j.counts[j.t == 30][0] == long.counts[1] > 100 and j.counts[1] == 10
    assert (j.t_peak, j.chi4_peak) == (long.t_peak, long.chi4_peak)
    assert j.chi4_peak == pytest.approx(0.25, abs=0.05) and 100 <= j.t_peak <= 260
    q = j.q[j.t >= 30]
    assert np.mean(j.chi4[j.t >= 30] / (q * (1 - q))) == pytest.approx(1.0, abs=0.15)
    with pytest.raises(ValueError, match="cannot join"):
        lg.join_chi4(short, lg.chi4(times[grid], frames[grid][:, :100]))
    with pytest.raises(TypeError, match="Chi4Result"):
        lg.join_chi4(short, None)
