"""Dynamics: NVE energy conservation, Berendsen NVT and NPT reach their targets.

Drift bound. With dt = 0.005 we measured (N = 500 binary3d at T = 1, N = 400 hump2d at T = 0.2 and
0.5; 10^4 steps, slope of a linear fit of E(t)) drifts of 6e-5 and 3e-6 epsilon per particle per 10^4
steps; halving dt reduces them ~4-40x, as a second-order integrator should once the drift is
truncation-dominated. The tests allow 3e-4 epsilon per particle per 10^4 steps: ~5x the worst value
measured, yet 2e-4 of k_B T, and a broken force, integrator or neighbour list (a missed pair, a
force with the wrong sign near the cutoff) produces drifts orders of magnitude larger.
"""

import numpy as np
import pytest

from scaledyn import md

DRIFT_BOUND = 3e-4  # epsilon per particle per 10^4 steps


@pytest.mark.parametrize("fixture", ["binary_liquid", "hump_liquid"])
def test_nve_energy_drift(fixture, request):
    model, state = request.getfixturevalue(fixture)
    st = state.copy()
    log = md.ThermoLog(every=50)
    st.step = 0
    md.simulate(st, model, steps=10_000, ensemble="nve", observers=[log])
    e = log["E"]
    slope = np.polyfit(log["time"], e, 1)[0]
    drift = slope * 10_000 * model.dt
    assert abs(drift) < DRIFT_BOUND, f"drift {drift:.2e} per particle per 1e4 steps"
    assert np.abs(e - e[0]).max() < 5 * DRIFT_BOUND
    # and the run did something: kinetic energy fluctuates
    assert log["K"].std() > 1e-3


def test_nve_drift_shrinks_with_dt(hump_liquid):
    """Second order: the energy error of velocity Verlet falls ~dt^2."""
    model, state = hump_liquid
    spread = []
    for dt in (0.008, 0.004):
        st = state.copy()
        st.step = 0
        log = md.ThermoLog(every=10)
        md.simulate(st, model.with_(dt=dt), steps=int(10 / dt), ensemble="nve", observers=[log])
        spread.append(log["E"].std())
    assert spread[1] < spread[0] / 2.5


@pytest.mark.parametrize("fixture,T", [("binary_liquid", 0.7), ("hump_liquid", 0.3)])
def test_berendsen_thermostat_reaches_T(fixture, T, request):
    model, state = request.getfixturevalue(fixture)
    st = state.copy()
    md.simulate(st, model, steps=2000, ensemble="nvt", T=T)  # 10 tau_T
    log = md.ThermoLog(every=10)
    md.simulate(st, model, steps=2000, ensemble="nvt", T=T, observers=[log])
    assert log["T"].mean() == pytest.approx(T, rel=0.02)
    assert log["density"][0] == log["density"][-1]  # NVT keeps the box


def test_berendsen_barostat_reaches_p(binary_liquid):
    model, state = binary_liquid
    st = state.copy()
    md.simulate(st, model, steps=3000, ensemble="npt", T=1.0, pressure=11.0)
    log = md.ThermoLog(every=10)
    md.simulate(st, model, steps=3000, ensemble="npt", T=1.0, pressure=11.0, observers=[log])
    p = log["P"]
    # mean within 3 standard errors of block means (or 0.05), after 3 relaxation times tau_P
    blocks = p.reshape(6, -1).mean(1)
    assert abs(p.mean() - 11.0) < max(3 * blocks.std() / np.sqrt(6), 0.05)
    assert log["T"].mean() == pytest.approx(1.0, rel=0.02)
    assert np.ptp(log["density"]) > 0  # the box did move
    # the density rose above that at p = 10
    assert log["density"].mean() > 0.826


def test_thermostat_counts_d_times_n_minus_1_degrees_of_freedom():
    # With the momentum conserved, a system of N particles has d(N − 1) kinetic degrees of freedom.
    # A strongly coupled Berendsen thermostat (tau_T = 2 dt) holds T = 2K/(d(N − 1)) at its target to
    # a fraction of a per cent; counting d N instead would bias it by N/(N − 1) = 2.9 % at N = 36.
    model = md.hump2d(n=36).with_(tau_T=0.01)
    st = md.initial_state(model, T=1.0, seed=4)
    md.simulate(st, model, steps=2000, T=0.5)
    log = md.ThermoLog(every=5)
    md.simulate(st, model, steps=4000, T=0.5, observers=[log])
    assert log["T"].mean() == pytest.approx(0.5, rel=0.006)
