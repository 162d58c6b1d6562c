"""Forces, energy and virial of the Numba kernel: against the NumPy reference and against calculus."""

import numpy as np
import pytest

from scaledyn import md
from scaledyn.md import reference as ref


def test_kernel_equals_numpy_reference(any_liquid):
    model, state = any_liquid
    md.compute_forces(state, model)
    u, f, w = ref.energy_forces_virial(model.potential, model.params, state.pos, state.types, state.box)
    assert state.potential_energy == pytest.approx(u, rel=1e-12)
    assert state.virial == pytest.approx(w, rel=1e-12)
    np.testing.assert_allclose(state.force, f, rtol=0, atol=1e-10 * np.abs(f).max())
    # Newton's third law: total force vanishes
    assert np.abs(state.force.sum(0)).max() < 1e-10 * np.abs(f).max()


def test_forces_are_minus_gradient(any_liquid, rng):
    model, state = any_liquid
    md.compute_forces(state, model)
    h = 1e-6
    for i in rng.choice(state.n, 6, replace=False):
        for k in range(state.dim):
            plus, minus = state.pos.copy(), state.pos.copy()
            plus[i, k] += h
            minus[i, k] -= h
            up = ref.energy(model.potential, model.params, plus, state.types, state.box)
            um = ref.energy(model.potential, model.params, minus, state.types, state.box)
            fd = -(up - um) / (2 * h)
            assert state.force[i, k] == pytest.approx(fd, rel=1e-5, abs=1e-5)


def test_virial_pressure_is_minus_dU_dV(any_liquid):
    """P_conf = W/(dV) must equal -dU/dV with scaled coordinates held fixed (box scaling)."""
    model, state = any_liquid
    md.compute_forces(state, model)
    d, vol = state.dim, state.volume

    def energy_at(volume):
        s = (volume / vol) ** (1 / d)
        return ref.energy(model.potential, model.params, state.pos * s, state.types, state.box * s)

    h = 1e-6 * vol
    dudv = (energy_at(vol + h) - energy_at(vol - h)) / (2 * h)
    p_conf = state.virial / (d * vol)
    assert p_conf == pytest.approx(-dudv, rel=1e-6)
    # and the full pressure adds the kinetic part 2K/(dV)
    th = md.thermo(state, model)
    twok = (np.asarray(model.masses)[state.types][:, None] * state.vel**2).sum()
    assert th["P"] == pytest.approx(p_conf + twok / (d * vol), rel=1e-12)


def test_velocity_verlet_step_matches_reference(any_liquid):
    model, state = any_liquid
    md.compute_forces(state, model)
    # the engine may re-order particle slots at a list build: compare in particle-id order
    by = state.by_tag
    pos, vel, force, u = ref.velocity_verlet_step(model.potential, model.params, state.unwrapped(), by(state.vel),
                                                  by(state.force), by(state.types), model.masses, state.box,
                                                  model.dt)
    md.simulate(state, model, steps=1, ensemble="nve")
    np.testing.assert_allclose(state.unwrapped(), pos, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.by_tag(state.vel), vel, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.by_tag(state.force), force, rtol=0, atol=1e-10 * np.abs(force).max())
    assert state.potential_energy == pytest.approx(u, rel=1e-12)


def test_spatial_sort_keeps_particle_identity(binary_liquid):
    """Slots are re-ordered at list builds; ids, types and continuous trajectories survive it."""
    model, state = binary_liquid
    st = state.copy()
    types0 = st.by_tag(st.types)
    u0 = st.unwrapped()
    tag0 = st.tag.copy()
    md.simulate(st, model, steps=50, ensemble="nve")
    assert not np.array_equal(st.tag, tag0)  # slots were permuted
    assert np.array_equal(np.sort(st.tag), np.arange(st.n))
    assert np.array_equal(st.by_tag(st.types), types0)
    # 50 steps of dt = 0.005: no particle moves more than ~1 sigma
    assert np.abs(st.unwrapped() - u0).max() < 1.0


@pytest.mark.parametrize("nt", [1, 2, 3, 5])
@pytest.mark.parametrize("shuffled", [False, True])
def test_owner_computes_split_gives_the_same_forces(any_liquid, nt, shuffled):
    """Any number of force partitions, cell-sorted particles (few spills) or randomly ordered ones
    (about half the pairs spill to another partition's owner): the reference forces."""
    from scaledyn.md import neighbour_list as nb
    from scaledyn.md import forces
    from scaledyn.md.state import dims_of

    model, state = any_liquid
    pos, types = state.pos.copy(), state.types.copy()
    if shuffled:
        perm = np.random.default_rng(nt).permutation(state.n)
        pos, types = pos[perm], types[perm]
    nl = nb.allocate(pos, types, state.box, model.params, model.skin)
    nl = nb.update(nl, pos, types, state.box, np.zeros(pos.shape, np.int64))  # no sort: order kept
    f = np.full(pos.shape, np.nan)  # every entry must be written
    u, w, _ = forces.forces_energy_virial(dims_of(state.dim), nt, model.params, pos, types, state.box,
                                       nl.pairs, nl.npair, f)
    u_ref, f_ref, w_ref = ref.energy_forces_virial(model.potential, model.params, pos, types, state.box)
    assert u == pytest.approx(u_ref, rel=1e-12) and w == pytest.approx(w_ref, rel=1e-12)
    np.testing.assert_allclose(f, f_ref, rtol=0, atol=1e-10 * np.abs(f_ref).max())


def test_force_loop_rejects_pairs_not_sorted_by_first_particle(hump_liquid):
    from scaledyn.md import forces
    from scaledyn.md.state import dims_of

    model, state = hump_liquid
    pairs = np.array([[5, 1], [6, 2]], np.int32)  # columns (5, 6), (1, 2): first particles descend
    with pytest.raises(ValueError, match="sorted"):
        forces.forces_energy_virial(dims_of(2), 2, model.params, state.pos, state.types, state.box,
                                 pairs, 2, np.zeros_like(state.pos))
