"""Property-based tests (hypothesis): fits recover what generated their data, checkpoints round-trip
exactly, species counts on random configurations obey their definition.

Examples are few and small (the machine is shared); ``derandomize`` keeps the suite reproducible.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scaledyn import md
from scaledyn.analysis import free_energy, species
from scaledyn.analysis.neighbours import count_neighbours_bruteforce

FEW = settings(max_examples=25, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

finite = st.floats(-20, 20, allow_nan=False)


@FEW
@given(H=arrays(np.float64, 3, elements=finite), ln_g=arrays(np.float64, 3, elements=finite),
       T=st.lists(st.floats(0.05, 5.0), min_size=3, max_size=8, unique=True))
def test_free_energy_fit_recovers_exact_lines(H, ln_g, T):
    """F_i(T) = H_i − T ln g_i exactly: the fit returns H and ln g to rounding, residuals ~ 0."""
    T = np.array(T)
    if np.ptp(T) < 1e-3:  # (nearly) one temperature: the line is undefined
        return
    F = H[None, :] - T[:, None] * ln_g[None, :]
    fit = free_energy.fit_free_energies(T, F)
    scale = 1e-7 * (1 + np.abs(F).max()) / np.ptp(T)
    assert np.allclose(fit.H, H, atol=scale * (1 + T.max())) and np.allclose(fit.ln_g, ln_g, atol=scale)
    assert np.all(fit.n_points == T.size)


@FEW
@given(H=arrays(np.float64, 2, elements=finite), ln_g=arrays(np.float64, 2, elements=finite),
       T=st.lists(st.floats(0.05, 5.0), min_size=3, max_size=8, unique=True))
def test_free_energies_and_concentrations_are_inverse(H, ln_g, T):
    """C from (H, ln g) then F from C, relative to the reference species 0: F_1 − F_0 = ΔH − TΔln g."""
    scheme = species.hump2d_scheme(counts=(2, 3), liquid=(2,))
    T = np.array(T)
    C = free_energy.model_concentrations(T, H, np.exp(ln_g), scheme)
    assert np.allclose(C.sum(axis=1), 1.0)
    if np.any(C[:, 0] <= 1e-300) or np.any(C[:, 1] <= 1e-300):
        return
    F, _ = free_energy.free_energies(T, C, scheme, reference=("2",))
    expect = (H[1] - H[0]) - T * (ln_g[1] - ln_g[0])
    assert np.allclose(F[:, 1], expect, atol=1e-8 * (1 + np.abs(expect).max()))


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(["hump2d", "binary3d"]), seed=st.integers(0, 2**31), extra=st.integers(0, 40),
       steps=st.integers(0, 30))
def test_checkpoint_round_trip_is_exact(name, seed, extra, steps, tmp_path):
    """save → load returns the same arrays bit for bit, the same model and step, and continuing
    both copies gives the same trajectory."""
    model = md.get_model(name, n=(100 if name == "hump2d" else 300) + extra)
    state = md.initial_state(model, T=1.0, seed=seed)
    md.simulate(state, model, steps=steps, T=1.0)
    path = md.save_checkpoint(tmp_path / f"ck{seed}.npz", state, model, {"note": seed})
    back, model2, meta = md.load_checkpoint(path)
    for key in ("pos", "vel", "force", "types", "image", "box", "tag"):
        assert np.array_equal(getattr(state, key), getattr(back, key)), key
    assert back.step == state.step and meta["extra"] == {"note": seed}
    assert model2.name == model.name and model2.n == model.n and np.array_equal(model2.params, model.params)
    md.simulate(state, model, steps=20, T=1.0)
    md.simulate(back, model2, steps=20, T=1.0)
    assert np.array_equal(state.pos, back.pos) and np.array_equal(state.vel, back.vel)


@FEW
@given(n=st.integers(1, 80), seed=st.integers(0, 2**31), side=st.floats(4.0, 9.0),
       shift=arrays(np.float64, 2, elements=st.floats(-50, 50)))
def test_hump_species_counts_on_random_configurations(n, seed, side, shift):
    """Concentrations + "other" sum to 1; they equal a brute-force minimum-image count; and they do
    not change under a periodic translation or a relabelling of the particles."""
    rng = np.random.default_rng(seed)
    box = np.array([side, side])
    pos = rng.random((n, 2)) * box
    scheme = species.hump2d_scheme()
    c, other = species.snapshot_concentrations(pos, box, None, scheme)
    assert np.all(c >= 0) and 0 <= other <= 1 and np.isclose(c.sum() + other, 1.0)
    counts = count_neighbours_bruteforce(pos, box, np.zeros(n, int), scheme.cutoff)
    expect = np.array([np.mean(counts == i) for i in scheme.n_neighbours])
    assert np.allclose(c, expect)
    moved = np.mod(pos[rng.permutation(n)] + shift, box)
    c2, other2 = species.snapshot_concentrations(moved, box, None, scheme)
    assert np.allclose(c2, c) and np.isclose(other2, other)


@FEW
@given(n=st.integers(2, 60), seed=st.integers(0, 2**31), side=st.floats(5.0, 8.0))
def test_binary_species_counts_on_random_configurations(n, seed, side):
    """Binary mixture: each central type's species sum to at most its share of the particles, and the
    concentrations match a brute-force count with the type-pair cut-offs."""
    rng = np.random.default_rng(seed)
    box = np.full(3, side)
    pos = rng.random((n, 3)) * box
    types = rng.integers(0, 2, n)
    scheme = species.binary3d_scheme()
    c, other = species.snapshot_concentrations(pos, box, types, scheme)
    assert np.isclose(c.sum() + other, 1.0)
    for t in (0, 1):
        assert c[scheme.central_type == t].sum() <= np.mean(types == t) + 1e-12
    counts = count_neighbours_bruteforce(pos, box, types, scheme.cutoff)
    expect = [np.mean((types == t) & (counts == k)) for t, k in zip(scheme.central_type, scheme.n_neighbours)]
    assert np.allclose(c, expect)
