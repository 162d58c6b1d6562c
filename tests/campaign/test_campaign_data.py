"""Loading campaign summaries: arrays in T order, per-point files, and clear errors on bad folders."""

import json

import numpy as np
import pytest

from scaledyn.campaign.data import combine, load_campaign, recorded_scheme, try_load_campaign
from scaledyn.analysis.diffusion import MSDResult
from scaledyn.analysis.liquid_geometry import _chi4_result
from scaledyn.analysis.isf import ISFResult
from scaledyn.analysis.species import hump2d_scheme

LABELS = [str(i) for i in range(0, 11)]


def write_point(root, T, tau, model="hump2d", labels=LABELS, n=16, C=None, dt=0.005):
    folder = root / f"T{T:.4f}"
    folder.mkdir(parents=True)
    C = np.full(len(labels), 1.0 / len(labels)) if C is None else np.asarray(C, float)
    summ = {"model": model, "T": T, "n": n, "dim": 2, "ensemble": "nvt", "pressure": None, "dt": dt,
            "k": 6.16, "tau_alpha": {"value": tau, "err": 0.1 * tau},
            "species": {"labels": labels, "C": C.tolist(), "C_err": (0.01 * C).tolist(), "other": 0.0},
            "evidence": {"equilibrated": T > 0.2}, "times": {"production_over_tau": 50.0, "equilibration": 20.0}}
    for i, key in enumerate(("density", "U", "E", "K", "P")):
        summ[key] = {"mean": i + T, "err": 0.001}
    (folder / "summary.json").write_text(json.dumps(summ))
    t = np.array([0.0, 1.0, 2.0, 4.0])
    ISFResult(t=t, fs=np.exp(-t / tau), fs_err=np.zeros(4), counts=np.ones(4, int),
              fs_chunks=np.exp(-t / tau)[None, :], k=6.16, dim=2, method="exact").write(folder / "fs.csv")
    rows = np.tile(C, (3, 1))
    header = ",".join(["step", "time", *labels, "other"])
    np.savetxt(folder / "species.csv", np.column_stack([[0, 10, 20], [0, .05, .1], rows, np.zeros(3)]),
               delimiter=",", header=header, comments="")
    np.savez(folder / "config.npz", positions=np.zeros((n, 2), np.float32), types=np.zeros(n, np.int8),
             box=np.array([4.0, 4.0]), step=20)
    return folder


def test_points_are_sorted_by_temperature_with_their_files(tmp_path):
    write_point(tmp_path, 0.5, 1.0)
    write_point(tmp_path, 0.2, 8.0)
    write_point(tmp_path, 0.3, 2.0)
    d = load_campaign(tmp_path, model="hump2d")
    assert d.T.tolist() == [0.2, 0.3, 0.5] and d.tau_alpha.tolist() == [8.0, 2.0, 1.0]
    assert d.U.tolist() == [1.2, 1.3, 1.5] and d.equilibrated.tolist() == [False, True, True]
    assert d.equilibration_over_tau.tolist() == [2.5, 10.0, 20.0]  # 20 tau of equilibration / tau_alpha
    assert d.C.shape == (3, 11) and d.scheme.labels == tuple(LABELS)
    assert d.fs(0.3).tau_alpha()[0] == pytest.approx(2.0, rel=0.05)
    assert d.species_samples(0.5).shape == (3, 11)
    assert d.config(0.2)["positions"].shape == (16, 2)
    with pytest.raises(ValueError, match="not a state point"):
        d.fs(0.25)


def test_recorded_scheme_matches_the_paper_flags():
    s = recorded_scheme("hump2d", LABELS)
    assert s.subset([str(i) for i in range(2, 7)]).liquid.tolist() == hump2d_scheme().liquid.tolist()
    b = recorded_scheme("binary3d", [f"s{n}" for n in range(0, 19)] + [f"l{n}" for n in range(0, 25)])
    assert b.n_species == 44 and b.liquid[b.index("s7")] and not b.liquid[b.index("s8")]
    with pytest.raises(ValueError, match="species set"):
        recorded_scheme("hump2d", ["2", "4"])
    with pytest.raises(ValueError, match="model"):
        recorded_scheme("lj", LABELS)


def test_bad_folders_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_campaign(tmp_path / "nope")
    with pytest.raises(ValueError, match="no finished state point"):
        load_campaign(tmp_path)
    write_point(tmp_path, 0.5, 1.0)
    with pytest.raises(ValueError, match="expected 'binary3d'"):
        load_campaign(tmp_path, model="binary3d")
    write_point(tmp_path, 0.4, 1.5, labels=LABELS[:5])
    with pytest.raises(ValueError, match="reanalyse"):
        load_campaign(tmp_path)
    (tmp_path / "T0.4000" / "summary.json").write_text("{not json")
    with pytest.raises(ValueError, match="T0.4000.*corrupt"):
        load_campaign(tmp_path)
    (tmp_path / "T0.4000" / "summary.json").write_text(json.dumps({"model": "hump2d"}))
    with pytest.raises(ValueError, match="missing"):
        load_campaign(tmp_path)


def test_corrupt_point_files_are_named(tmp_path):
    folder = write_point(tmp_path, 0.5, 1.0)
    (folder / "config.npz").write_bytes(b"garbage")
    (folder / "species.csv").write_text("step,time,a\n1,2,3\n")
    d = load_campaign(tmp_path)
    with pytest.raises(ValueError, match="config.npz"):
        d.config(0.5)
    with pytest.raises(ValueError, match="species.csv"):
        d.species_samples(0.5)


def test_concentrations_and_try_load(tmp_path):
    write_point(tmp_path, 0.5, 1.0)
    write_point(tmp_path, 0.3, 2.0)
    d, reason = try_load_campaign("hump2d", tmp_path)
    assert reason is None and d.columns(["3", "5"]) == [3, 5]
    C, C_err = d.concentrations(["3", "5"], rows=d.T > 0.4)
    assert C.shape == C_err.shape == (1, 2) and np.allclose(C, 1 / 11)
    d, reason = try_load_campaign("binary3d", tmp_path)
    assert d is None and "expected 'binary3d'" in reason


def test_combine_adds_the_colder_points_of_a_smaller_system(tmp_path):
    big, small = tmp_path / "n16", tmp_path / "n8"
    for T, tau in ((0.5, 1.0), (0.3, 2.0)):
        write_point(big, T, tau)
    for T, tau in ((0.3, 2.5), (0.2, 8.0), (0.15, 30.0)):
        write_point(small, T, tau, n=8)
    d = combine(load_campaign(big), load_campaign(small))
    assert d.T.tolist() == [0.15, 0.2, 0.3, 0.5]
    assert d.tau_alpha.tolist() == [30.0, 8.0, 2.0, 1.0]          # the big system wins at shared T = 0.3
    assert d.n.tolist() == [8, 8, 16, 16] and d.C.shape == (4, 11)
    assert d.config(0.2)["positions"].shape == (8, 2) and d.config(0.5)["positions"].shape == (16, 2)
    assert d.folders[0].parent == small and d.folders[2].parent == big
    other = tmp_path / "dt"
    write_point(other, 0.1, 50.0, dt=0.002)
    with pytest.raises(ValueError, match="different dt"):
        combine(load_campaign(big), load_campaign(other))


def test_liquid_concentration_sums_per_snapshot_then_block_averages():
    from scaledyn import data_path
    from scaledyn.analysis.stats import block_average

    d = load_campaign(data_path("md", "hump2d"))
    c, e = d.liquid_concentration(["2", "5", "6"])
    s = d.species_samples(d.T[0])[:, d.columns(["2", "5", "6"])].sum(axis=1)
    mean, err = block_average(s[:, None])
    assert c[0] == pytest.approx(mean[0]) and e[0] == pytest.approx(err[0]) and c.size == d.T.size
    assert np.all(c[1:] >= c[:-1] - 3 * np.hypot(e[1:], e[:-1]))  # liquid species: rarer when colder


def test_fit_species_of_a_campaign_recovers_table_ii_on_the_chosen_rows(tmp_path):
    """Points written from Table II's concentrations (species 2…6 of the recorded 0…10): the fit of
    the selected species returns Table II; ``rows`` selects state points by index or mask."""
    from scaledyn.analysis import free_energy

    paper = free_energy.paper_hump_table()
    hump = hump2d_scheme()
    temps = [0.15, 0.2, 0.3, 0.4, 0.5]
    for T in temps:
        C = np.zeros(len(LABELS))
        C[2:7] = free_energy.model_concentrations([T], paper["H"], paper["g"], hump)[0]
        write_point(tmp_path, T, 1.0, C=C)
    d = load_campaign(tmp_path)
    S = d.scheme.subset(hump.labels)
    ref, F, F_err, fit = d.fit_species(S, reference=("2",))
    assert ref == ("2",) and F.shape == (5, 5)
    np.testing.assert_allclose(fit.H, paper["H"], atol=1e-10)
    np.testing.assert_allclose(fit.g, paper["g"], rtol=1e-9)
    # default reference: the most abundant species everywhere (i = 4), as reference_species chooses
    assert d.fit_species(S)[0] == ("4",)
    # rows by index and by mask select the same points, and only those
    ref2, F2, _, _ = d.fit_species(S, rows=[1, 3, 4], reference=("2",))
    _, F3, _, _ = d.fit_species(S, rows=np.array([False, True, False, True, True]), reference=("2",))
    np.testing.assert_array_equal(F2, F[[1, 3, 4]])
    np.testing.assert_array_equal(F3, F2)
    with pytest.raises(ValueError, match="rows"):
        d.fit_species(S, rows=[0, 9])
    with pytest.raises(ValueError, match="rows"):
        d.fit_species(S, rows=np.array([True, False]))
    with pytest.raises(TypeError, match="scheme"):
        d.fit_species(hump.labels)


def add_dynamics(folder, D, tau_cr=None, D_cr=None):
    """Give a point the dynamics entries of a summary written by today's jobs.analyse (null: not fitted)."""
    path = folder / "summary.json"
    summ = json.loads(path.read_text())
    summ["kww"] = {"beta": 0.7, "beta_err": 0.02, "tau_K": 1.5, "tau_K_err": 0.1, "reason": None}
    summ["diffusion"] = {"D": D, "D_err": None if D is None else 0.1 * D, "t_min": 2.0, "t_max": 9.0,
                         "reason": None if D is not None else "no diffusive window"}
    summ["cage_relative"] = None if tau_cr is None else {
        "cutoff": 1.32, "tau_alpha": {"value": tau_cr, "err": 0.1}, "diffusion": {"D": D_cr, "D_err": 0.01},
        "kww": {"beta": 0.8, "beta_err": 0.05}}
    summ["chi4"] = {"a": 0.3, "t_peak": 2.0, "chi4_peak": 5.0, "chi4_peak_err": 0.5}
    path.write_text(json.dumps(summ))
    t = np.array([0.0, 1.0, 2.0, 4.0])
    _chi4_result(t, np.array([0.0, 3.0, 5.0, 4.0]), np.array([0.0, 0.3, 0.5, 0.4]), np.array([1.0, 0.7, 0.5, 0.2]),
                 np.array([9, 8, 7, 6]), 16, 0.3).write(folder / "chi4.csv")
    MSDResult(t=t, msd=4 * 0.1 * t, msd_err=np.zeros(4), counts=np.ones(4, int), msd_chunks=(4 * 0.1 * t)[None],
              dim=2).write(folder / "msd.csv")


def test_dynamics_are_optional_arrays_nan_for_old_summaries(tmp_path):
    write_point(tmp_path, 0.5, 1.0)                                      # an old summary: no dynamics
    add_dynamics(write_point(tmp_path, 0.3, 2.0), D=0.05, tau_cr=3.0, D_cr=0.03)
    add_dynamics(write_point(tmp_path, 0.2, 8.0), D=None)                # fitted, but no diffusive window
    d = load_campaign(tmp_path)
    assert np.isnan(d.D[[0, 2]]).all() and d.D[1] == 0.05 and d.D_err[1] == pytest.approx(0.005)
    assert d.beta.tolist()[:2] == [0.7, 0.7] and np.isnan(d.beta[2]) and d.tau_K[0] == 1.5
    assert d.D_t_min[1] == 2.0 and d.D_t_max[1] == 9.0
    assert d.tau_alpha_cr[1] == 3.0 and d.D_cr[1] == 0.03 and d.beta_cr[1] == 0.8
    assert np.isnan(d.tau_alpha_cr[[0, 2]]).all() and np.isnan(d.D_cr[[0, 2]]).all()
    se = d.stokes_einstein()
    assert se.D_tau[1] == pytest.approx(0.1) and se.D_tau_over_T[1] == pytest.approx(0.1 / 0.3)
    assert se.D_tau_err[1] == pytest.approx(0.1 * np.hypot(0.1, 0.1))
    assert np.isnan(se.D_tau[[0, 2]]).all()
    assert d.stokes_einstein(cage_relative=True).D_tau[1] == pytest.approx(0.09)
    assert d.msd(0.3).msd[-1] == pytest.approx(1.6)
    assert np.isnan(d.chi4_peak[2]) and d.chi4_peak[1] == 5.0 and d.chi4_peak_err[1] == 0.5 and d.chi4_t_peak[1] == 2.0
    x4 = d.chi4(0.3)
    assert x4.t_peak == 2.0 and x4.chi4_peak == 5.0 and x4.n == 16 and x4.a == 0.3 and x4.counts.tolist() == [9, 8, 7, 6]
    with pytest.raises(ValueError, match="chi4.csv does not exist"):
        d.chi4(0.5)
    with pytest.raises(ValueError, match="msd.csv does not exist.*reanalyse"):
        d.msd(0.5)
    with pytest.raises(ValueError, match="fs_cr.csv does not exist"):
        d.fs(0.3, cage_relative=True)
    both = combine(d, load_campaign(tmp_path))                           # the new arrays combine like the rest
    assert np.array_equal(both.D, d.D, equal_nan=True)
