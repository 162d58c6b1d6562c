"""Driver, observers, checkpoints, trajectories, blow-up errors and input validation."""

import numpy as np
import pytest

from scaledyn import md
from scaledyn.md import neighbour_list as nb


def same_state(a, b):
    for key in ("pos", "vel", "force", "image", "box", "tag", "types"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    assert a.step == b.step and a.potential_energy == b.potential_energy and a.virial == b.virial


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
def test_restart_is_bitwise_identical(name, binary_liquid, hump_liquid, tmp_path):
    model, state = binary_liquid if name == "binary3d" else hump_liquid
    a = state.copy()
    md.simulate(a, model, steps=300, T=0.8)
    b = state.copy()
    md.simulate(b, model, steps=130, T=0.8)
    md.save_checkpoint(tmp_path / "c.npz", b, model)
    md.simulate(b, model, steps=50, T=1.5)  # diverge the in-memory copy on purpose
    c, model2, _ = md.load_checkpoint(tmp_path / "c.npz")
    assert model2.name == model.name and np.array_equal(model2.params, model.params)
    md.simulate(c, model2, steps=170, T=0.8)
    same_state(a, c)


def test_chunking_and_list_overflow_do_not_change_the_trajectory(binary_liquid):
    model, state = binary_liquid
    a = state.copy()
    md.simulate(a, model, steps=200, T=1.0)
    b = state.copy()
    cap = int(b.nl.counts.max())
    b.nl.nbr = b.nl.nbr[:, :cap].copy()  # a valid list with no head-room: a later rebuild overflows
    log = md.ThermoLog(steps=[state.step + s for s in (1, 2, 3, 50, 77, 199)])  # odd chunk boundaries
    md.simulate(b, model, steps=200, T=1.0, observers=[log])
    same_state(a, b)
    assert b.nl.capacity > cap
    assert list(log["step"]) == [state.step + s for s in (1, 2, 3, 50, 77, 199)]


def test_observer_schedule():
    s = md.Schedule(every=10)
    assert [s.next_step(x) for x in (0, 1, 10, 11)] == [0, 10, 10, 20]
    s = md.Schedule(steps=[5, 1, 5, 100])
    assert [s.next_step(x) for x in (0, 2, 6, 101)] == [1, 5, 100, None]
    steps = md.log_schedule(1000, 100, base=2.0)
    assert steps[0] == 0 and 1 in steps and 64 in steps and 100 in steps and 164 in steps and steps[-1] == 1000
    with pytest.raises(ValueError, match="every"):
        md.Schedule(every=0)


def test_observers_fire_at_scheduled_steps(hump_liquid):
    model, state = hump_liquid
    st = state.copy()
    st.step = 0
    log = md.ThermoLog(every=25)
    pos = md.PositionSampler(steps=[0, 10, 60])
    md.simulate(st, model, steps=100, T=0.5, observers=[log, pos])
    assert list(log["step"]) == [0, 25, 50, 75, 100]
    assert pos.steps == [0, 10, 60]
    th = md.thermo(st, model)
    assert log.rows[-1] == th


def test_unwrapped_positions_and_gsd(hump_liquid, tmp_path):
    model, state = hump_liquid
    st = state.copy()
    st.step = 0
    u0 = st.unwrapped()
    writer = md.GSDWriter(tmp_path / "t.gsd", every=100)
    sampler = md.PositionSampler(every=100)
    md.simulate(st, model, steps=2000, T=1.0, observers=[writer, sampler])
    steps, upos, boxes = md.read_unwrapped(tmp_path / "t.gsd")
    assert list(steps) == list(range(0, 2001, 100))
    np.testing.assert_allclose(upos, np.array(sampler.positions), atol=2e-5 * st.box.max())
    # unwrapped displacement is continuous: no jumps of a box length between samples
    jumps = np.abs(np.diff(np.array(sampler.positions), axis=0)).max()
    assert jumps < 0.2 * st.box.min()
    assert np.abs(st.unwrapped() - u0).max() > 0.0
    assert np.any(st.image != 0)  # particles crossed the boundary, bookkeeping was exercised


def test_blow_up_raises_with_step(binary_liquid):
    model, state = binary_liquid
    st = state.copy()
    with pytest.raises(md.SimulationError, match="step") as err:
        md.simulate(st, model.with_(dt=0.2), steps=500, ensemble="nve")
    assert isinstance(err.value, RuntimeError) and 1 <= err.value.step - state.step <= 500
    st = state.copy()
    st.pos[1] = st.pos[0] + 0.01  # overlapping pair
    st.nl = nb.update(st.nl, st.pos, st.types, st.box, st.image)
    with pytest.raises(md.SimulationError, match="overlap"):
        md.simulate(st, model, steps=5, ensemble="nve")
    st = state.copy()
    with pytest.raises(md.SimulationError, match="box collapsed"):
        md.simulate(st, model.with_(tau_P=0.05, bulk_modulus=1.0), steps=2000, T=1.0, pressure=1e4)


def test_input_validation(binary_liquid, tmp_path):
    model, state = binary_liquid
    with pytest.raises(ValueError, match="unknown model"):
        md.get_model("lj")
    with pytest.raises(ValueError, match="T must be"):
        md.initial_state(model, T=0.0)
    with pytest.raises(TypeError, match="T must be"):
        md.initial_state(model, T="hot")
    with pytest.raises(ValueError, match="density"):
        md.initial_state(model, T=1.0, density=-0.5)
    with pytest.raises(ValueError, match="density"):
        md.binary3d(n=300, density=float("nan"))
    with pytest.raises(ValueError, match="T must be"):
        md.simulate(state.copy(), model, steps=1, T=-1.0)
    with pytest.raises(ValueError, match="ensemble"):
        md.simulate(state.copy(), model, steps=1, ensemble="nph", T=1.0)
    with pytest.raises(ValueError, match="steps"):
        md.simulate(state.copy(), model, steps=-3, T=1.0)
    with pytest.raises(TypeError, match="model"):
        md.simulate(state.copy(), "binary3d", steps=1, T=1.0)
    with pytest.raises(ValueError, match="N="):
        md.simulate(state.copy(), md.binary3d(n=400), steps=1, T=1.0)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(md.CheckpointError, match="corrupt"):
        md.load_checkpoint(bad)
    with pytest.raises(md.CheckpointError, match="does not exist"):
        md.load_checkpoint(tmp_path / "missing.npz")
    # a neighbour list pointing past the particles would make the force loop read out of bounds
    md.save_checkpoint(tmp_path / "c.npz", state, model)
    with np.load(tmp_path / "c.npz") as z:
        data = dict(z)
    data["nl_nbr"] = data["nl_nbr"].copy()
    data["nl_nbr"][0, 0] = model.n
    np.savez(tmp_path / "badlist.npz", **data)
    with pytest.raises(md.CheckpointError, match="neighbour list"):
        md.load_checkpoint(tmp_path / "badlist.npz")


def test_random_initial_state_has_no_overlaps():
    model = md.binary3d(n=300)
    st = md.initial_state(model, T=1.0, density=0.6, kind="random", seed=2)
    d = st.pos[:, None] - st.pos[None]
    d -= st.box * np.rint(d / st.box)
    r = np.sqrt((d**2).sum(-1)) + np.eye(st.n) * 10
    sig = np.sqrt(model.params["sigma2"][st.types[:, None], st.types[None]])
    assert (r / sig).min() >= 0.7 - 1e-12
    th = md.thermo(st, model)
    assert th["T"] == pytest.approx(1.0, rel=1e-12) and th["density"] == pytest.approx(0.6)
    assert np.abs((st.vel).sum(0)).max() < 1e-10


def test_threads_argument_applies_to_one_call_and_is_validated():
    import numba

    from scaledyn import md

    model = md.hump2d(n=200)
    before = numba.get_num_threads()
    a = md.initial_state(model, T=0.5, seed=3)
    b = md.initial_state(model, T=0.5, seed=3)
    md.simulate(a, model, steps=200, T=0.5, threads=1)
    assert numba.get_num_threads() == before  # restored after the call
    md.simulate(b, model, steps=200, T=0.5, threads=1)
    assert (a.pos == b.pos).all()  # same thread count, bitwise the same trajectory
    for bad in (0, -1, 1.5, True, numba.config.NUMBA_NUM_THREADS + 1):
        with pytest.raises((ValueError, TypeError), match="threads"):
            md.simulate(a, model, steps=1, T=0.5, threads=bad)


def test_checkpoint_written_before_parameter_records_resumes_bitwise(hump_liquid, tmp_path):
    """A checkpoint whose model has the old integer ``kind`` and float parameter table (campaigns
    started before the kernels took records) loads to the same model and continues bitwise."""
    import json

    model, state = hump_liquid
    path = md.save_checkpoint(tmp_path / "new.npz", state.copy(), model)
    with np.load(path) as z:
        data = {k: z[k] for k in z.files}
    rec = json.loads(str(data["model"]))
    p = model.params
    old = [p["eps"], p["sigma2"], p["rc2"], p["r0"], p["r02"], np.sqrt(p["rc2"]), p["h0"],
           *[p[f"a{k}"] for k in range(8)], p["inv_width"]]
    rec["kind"] = 1
    del rec["potential"]
    rec["params"] = np.stack(old, -1).tolist()
    data["model"] = np.array(json.dumps(rec))
    np.savez(tmp_path / "old.npz", **data)
    s_new, m_new, _ = md.load_checkpoint(path)
    s_old, m_old, _ = md.load_checkpoint(tmp_path / "old.npz")
    assert m_old.potential == "hump" and np.array_equal(m_old.params, model.params)
    for s, m in ((s_new, m_new), (s_old, m_old)):
        md.simulate(s, m, steps=200, T=0.5, progress=False)
    assert np.array_equal(s_new.pos, s_old.pos) and np.array_equal(s_new.vel, s_old.vel)
