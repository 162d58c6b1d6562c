"""The Verlet list equals brute force, in 2D and 3D, big and small boxes, and never overflows silently."""

import numpy as np
import pytest

from scaledyn import md
from scaledyn.md import neighbour_list as nb


def random_config(model, box_side, n, rng):
    d = model.dim
    box = np.full(d, box_side)
    pos = rng.random((n, d)) * box
    types = rng.integers(0, model.ntypes, n).astype(np.int32)
    return pos, types, box


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
@pytest.mark.parametrize("cells", [None, 3, 4, 7])
def test_list_equals_brute_force(name, cells, rng):
    model = md.get_model(name)
    rlist = model.rc_max + model.skin
    # cells=None: a box just above 2*(rc+skin) (fewer than 3 cells: the O(N^2) path)
    side = 2 * rlist * (1 + 1e-6) if cells is None else cells * rlist * 1.01
    n = max(int(0.8 * side**model.dim), 20)
    pos, types, box = random_config(model, side, n, rng)
    nl = nb.allocate(pos, types, box, model.params, model.skin)
    image = np.zeros(pos.shape, np.int64)
    nl = nb.update(nl, pos, types, box, image)
    assert nb.list_pairs(nl) == nb.brute_force_pairs(pos, types, box, model.params, model.skin)
    # each pair once
    assert nl.counts.sum() == len(nb.list_pairs(nl))
    assert_flat_matches_rows(nl)


def assert_flat_matches_rows(nl):
    """The flat pair list the force loop reads holds the rows' pairs, row by row, in row order."""
    flat = nl.pairs[:, :nl.npair]
    rows = [(i, int(j)) for i in range(nl.nbr.shape[0]) for j in nl.nbr[i, :nl.counts[i]]]
    assert [tuple(c) for c in flat.T.tolist()] == rows


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
def test_build_after_cell_sort_equals_full_build(name, rng):
    """The step loop sorts particles by cell and builds from the sort's cell starts
    (build_sorted): the same rows and flat pairs as a build that buckets them itself."""
    model = md.get_model(name)
    side = 5 * (model.rc_max + model.skin) * 1.01
    pos, types, box = random_config(model, side, int(0.8 * side**model.dim), rng)
    n, d = pos.shape
    vel, force, image, tag = rng.random((n, d)), rng.random((n, d)), np.zeros((n, d), np.int64), np.arange(n)
    dims = (0,) * d
    rlist = model.rc_max + model.skin
    start = nb.sort_by_cell(dims, box, rlist, pos, vel, force, image, types, tag)
    assert np.array_equal(np.sort(tag), np.arange(n)) and not np.array_equal(tag, np.arange(n))
    a = nb.allocate(pos, types, box, model.params, model.skin, capacity=64)  # random points: crowded rows
    b = a.copy()
    need_a = nb.build(dims, 2, pos, types, box, a.cut2, rlist, a.lists)
    need_b = nb.build_sorted(dims, 2, pos, types, box, b.cut2, rlist, start, b.lists)
    assert need_a == need_b <= a.capacity
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.nbr, b.nbr) and np.array_equal(a.pairs, b.pairs)
    assert nb.list_pairs(b) == nb.brute_force_pairs(pos, types, box, model.params, model.skin)


def test_flatten_rejects_too_short_output():
    nbr = np.array([[1, 2], [2, 0], [0, 0]], np.int32)
    counts = np.array([2, 1, 0], np.int32)
    pairs = np.zeros((2, 3), np.int32)
    assert nb.flatten(1, nb.Lists(nbr, counts, pairs)) == 3 and pairs.tolist() == [[0, 0, 1], [1, 2, 2]]
    with pytest.raises(ValueError, match="fewer columns"):
        nb.flatten(1, nb.Lists(nbr, counts, np.zeros((2, 2), np.int32)))


def test_positions_outside_box_are_wrapped_with_images(rng):
    model = md.binary3d(n=300)
    pos, types, box = random_config(model, 8.0, 200, rng)
    shifted = pos + np.array([2, -1, 3]) * box
    image = np.zeros(pos.shape, np.int64)
    nl = nb.update(nb.allocate(shifted, types, box, model.params, model.skin), shifted, types, box, image)
    assert np.all((shifted >= 0) & (shifted < box))
    np.testing.assert_allclose(shifted + image * box, pos + np.array([2, -1, 3]) * box, atol=1e-12)
    assert nb.list_pairs(nl) == nb.brute_force_pairs(pos, types, box, model.params, model.skin)


def test_overflow_grows_the_list(rng):
    model = md.hump2d()
    pos, types, box = random_config(model, 12.0, 150, rng)
    nl = nb.allocate(pos, types, box, model.params, model.skin, capacity=1)
    nl = nb.update(nl, pos, types, box, np.zeros(pos.shape, np.int64))
    assert nl.capacity >= nl.counts.max() > 1
    assert nb.list_pairs(nl) == nb.brute_force_pairs(pos, types, box, model.params, model.skin)
    assert_flat_matches_rows(nl)


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
def test_box_too_small_is_rejected(name, rng):
    model = md.get_model(name)
    side = 2 * (model.rc_max + model.skin)
    pos, types, box = random_config(model, side, 10, rng)
    with pytest.raises(ValueError, match="too small"):
        nb.allocate(pos, types, box, model.params, model.skin)
    with pytest.raises(ValueError, match="too small"):
        md.get_model(name, n=model.min_particles() - 1)


def test_rebuild_criterion_with_box_scaling():
    skin, rc = 0.3, 1.6
    assert not nb.needs_rebuild(0.149**2, 1.0, skin, rc)
    assert nb.needs_rebuild(0.151**2, 1.0, skin, rc)
    # compression by 5 %: allowed 2*delta <= 0.95*0.3 - 0.05*1.6 = 0.205
    assert not nb.needs_rebuild(0.1**2, 0.95, skin, rc)
    assert nb.needs_rebuild(0.11**2, 0.95, skin, rc)
    assert nb.needs_rebuild(0.0, 0.8, skin, rc)  # compression eats the whole skin
    # the drift loop compares with the limit directly: (allowed / 2)^2, or -1 when nothing is allowed
    assert nb.displacement_limit(0.95, skin, rc) == pytest.approx((0.205 / 2) ** 2, rel=1e-12)
    assert nb.displacement_limit(0.8, skin, rc) == -1.0


def test_list_stays_complete_during_npt_run(binary_liquid):
    """After many NPT steps (box changing) the forces still equal the all-pairs reference."""
    from scaledyn.md import reference as ref
    model, state = binary_liquid
    state = state.copy()
    md.simulate(state, model.with_(tau_P=0.5), steps=400, T=1.0, pressure=14.0)
    u, f, _ = ref.energy_forces_virial(model.potential, model.params, state.pos, state.types, state.box)
    assert state.potential_energy == pytest.approx(u, rel=1e-12)
    np.testing.assert_allclose(state.force, f, atol=1e-9 * np.abs(f).max())
