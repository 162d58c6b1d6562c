"""The NVE-vs-thermostat check of τα: a real (quick) state point rerun at constant energy."""

import json
import math

import numpy as np
import pytest

import scaledyn.campaign as cp
from scaledyn.analysis.isf import self_isf
from scaledyn.campaign.thermostat import main, read_thermostat_check, thermostat_check
from scaledyn.md.trajectory import read_unwrapped


@pytest.fixture(scope="module")
def point(tmp_path_factory):
    root = tmp_path_factory.mktemp("thermo")
    settings = cp.quick_settings("hump2d", temperatures=(0.5,))
    cp.run_campaign(settings, root / "out", root / "work", workers=0, threads=1, log=lambda *a: None)
    return root / "out" / "T0.5000", root / "work" / "T0.5000"


def test_nve_rerun_conserves_energy_and_measures_tau_like_the_campaign(point):
    out, work = point
    summary = json.loads((out / "summary.json").read_text())
    r = thermostat_check(out, work, log=lambda *a: None)
    assert r == read_thermostat_check(out)
    assert r["steps"] == summary["steps"]["production"] and r["ensemble_compared"] == "nve vs nvt"
    # velocity Verlet at dt = 0.005: the total energy per particle drifts far less than k_B T / 100
    assert abs(r["energy_drift_per_particle"]) < 1e-3
    # and it is conserved at every sample (under a thermostat it fluctuates by ~T sqrt(c_v / N) ~ 0.03)
    assert r["energy_std_per_particle"] < 1e-3
    assert r["T_kinetic_nve"] == pytest.approx(0.5, rel=0.1)
    # τα from the NVE frames, recomputed from scratch with every block start as an origin
    steps, pos, _ = read_unwrapped(work / "nve" / "run" / "traj.gsd")
    block = summary["steps"]["block"]
    origins = np.flatnonzero(steps % block == 0)
    ref = self_isf(steps * summary["dt"], pos, k=summary["k"], origins=origins,
                   max_lag=0.5 * steps[-1] * summary["dt"])
    assert r["tau_nve"] == pytest.approx(ref.tau_alpha()[0], rel=1e-9)
    assert r["tau_thermostat"] == summary["tau_alpha"]["value"]
    z = (r["tau_nve"] - r["tau_thermostat"]) / math.hypot(r["tau_nve_err"], r["tau_thermostat_err"])
    assert r["z"] == pytest.approx(z) and r["agree"] == (abs(z) <= 3.0)
    # a warm liquid: the Berendsen coupling (tau_T = 1) cannot move τα by a factor of two
    assert 0.5 < r["tau_nve"] / r["tau_thermostat"] < 2.0


def test_an_interrupted_nve_run_resumes_to_the_same_result(point, tmp_path):
    out, work = point
    full = thermostat_check(out, work, log=lambda *a: None)
    (work / "nve" / "run" / "checkpoint.npz").unlink()   # start again from production's end
    calls = 0
    while (r := thermostat_check(out, work, step_budget=700, log=lambda *a: None)) is None:
        calls += 1
        assert calls < 50
    assert calls >= 2
    assert {k: r[k] for k in ("tau_nve", "tau_nve_err", "energy_drift_per_particle")} == \
        {k: full[k] for k in ("tau_nve", "tau_nve_err", "energy_drift_per_particle")}


def test_bad_input_is_named(point, tmp_path, capsys):
    out, work = point
    with pytest.raises(FileNotFoundError, match="no summary"):
        thermostat_check(tmp_path, work)
    with pytest.raises(FileNotFoundError, match="production checkpoint"):
        thermostat_check(out, tmp_path)
    with pytest.raises(ValueError, match="step_budget"):
        thermostat_check(out, work, step_budget=-1)
    assert read_thermostat_check(tmp_path) is None
    (tmp_path / "thermostat.json").write_text("{")
    with pytest.raises(ValueError, match="thermostat.json"):
        read_thermostat_check(tmp_path)
    with pytest.raises(SystemExit, match="threads"):
        main([str(out), str(work), "--threads", "0"])
