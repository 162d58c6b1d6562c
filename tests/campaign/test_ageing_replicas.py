"""The pooled ageing test over a ladder's cold points and replicas, and pooling replicas into a
ladder's averages, on synthetic campaigns with known answers."""

import json

import numpy as np
import pytest

from scaledyn.campaign.data import ageing_test, load_campaign, pool_replicas
from test_campaign_data import write_point


def with_halves(folder, tau, U, rho, err=(1.0, 0.01, 0.001)):
    """Give a point the equilibration evidence of jobs.analyse: (first, second) of τα, U and ρ."""
    path = folder / "summary.json"
    s = json.loads(path.read_text())
    e_tau, e_U, e_rho = err
    s["evidence"] = {"equilibrated": True,
                     "ageing": {"tau_first": tau[0], "tau_first_err": e_tau, "tau_second": tau[1],
                                "tau_second_err": e_tau, "ok": True},
                     "stationary": {key: {"first": v[0], "first_err": e, "second": v[1], "second_err": e, "ok": True}
                                    for key, v, e in (("U", U, e_U), ("density", rho, e_rho), ("P", (1.0, 1.0), 0.1))}}
    path.write_text(json.dumps(s))


def test_ageing_test_pools_the_cold_points_of_main_and_replicas(tmp_path):
    """Main: T = 0.2 and 0.3 cold, 0.5 hot (left out); one replica at 0.2. τα is later longer by
    √2·σ at every cold point (z = 1 each, Z = 3/√3), U lower by √2·σ (z = −1), ρ unchanged."""
    s2 = np.sqrt(2)
    for T in (0.2, 0.3, 0.5):
        with_halves(write_point(tmp_path / "main", T, 10.0), (10.0, 10.0 + s2), (1.0, 1.0 - 0.01 * s2), (0.7, 0.7))
    with_halves(write_point(tmp_path / "rep", 0.2, 10.0), (10.0, 10.0 + s2), (1.0, 1.0 - 0.01 * s2), (0.7, 0.7))
    main, rep = load_campaign(tmp_path / "main"), load_campaign(tmp_path / "rep")
    first, first_err, second, _ = main.halves("tau_alpha")
    assert first.tolist() == [10.0] * 3 and second[0] == pytest.approx(10 + s2) and first_err[0] == 1.0
    res = ageing_test([main, rep], T_max=0.3)
    assert res["tau_alpha"].n == 3 and res["tau_alpha"].z_pooled == pytest.approx(np.sqrt(3))
    assert res["U"].z_pooled == pytest.approx(-np.sqrt(3)) and res["density"].z_pooled == 0.0
    assert ageing_test([main], T_max=0.25)["tau_alpha"].n == 1
    with pytest.raises(ValueError, match="no state point"):
        ageing_test([main], T_max=0.1)
    with pytest.raises(ValueError, match="quantity"):
        main.halves("E")
    with pytest.raises(TypeError, match="CampaignData"):
        ageing_test([], T_max=0.3)


def test_ageing_test_skips_a_density_fixed_by_the_ensemble(tmp_path):
    with_halves(write_point(tmp_path, 0.2, 10.0), (10.0, 11.0), (1.0, 1.0), (0.824, 0.824), err=(1.0, 0.01, 0.0))
    res = ageing_test([load_campaign(tmp_path)], T_max=0.3)
    assert res["density"] is None and res["tau_alpha"].z_pooled == pytest.approx(1 / np.sqrt(2))


def test_pool_replicas_takes_the_mean_and_the_scatter_of_the_runs(tmp_path):
    """τα of 10, 12, 14, 16 at T = 0.2 (main + 3 replicas): mean 13, error s/√4 = √(20/3)/2; T = 0.3
    has one replica (τα 20 and 24: mean 22, error 2); T = 0.5 has none and keeps its own block error."""
    for T, tau in ((0.2, 10.0), (0.3, 20.0), (0.5, 1.0)):
        write_point(tmp_path / "main", T, tau)
    for r, tau in enumerate((12.0, 14.0, 16.0)):
        write_point(tmp_path / f"r{r}", 0.2, tau, C=np.full(11, 1 / 11) * (1 + 0.01 * r))
    write_point(tmp_path / "r0", 0.3, 24.0)
    main = load_campaign(tmp_path / "main")
    reps = [load_campaign(tmp_path / f"r{r}") for r in range(3)]
    pooled, n = pool_replicas(main, reps)
    assert n.tolist() == [4, 2, 1]
    assert pooled.tau_alpha[0] == 13.0 and pooled.tau_alpha_err[0] == pytest.approx(np.sqrt(20 / 3) / 2)
    assert pooled.tau_alpha[1] == 22.0 and pooled.tau_alpha_err[1] == pytest.approx(2.0)
    assert pooled.tau_alpha[2] == 1.0 and pooled.tau_alpha_err[2] == main.tau_alpha_err[2]
    c = np.array([1.0, 1.0, 1.01, 1.02]) / 11
    assert pooled.C[0, 0] == pytest.approx(c.mean()) and pooled.C_err[0, 0] == pytest.approx(c.std(ddof=1) / 2)
    assert pooled.U[0] == main.U[0] and pooled.U_err[0] == 0.0            # identical U in every run: no scatter
    assert main.tau_alpha[0] == 10.0                                        # main itself is not changed
    other = write_point(tmp_path / "bin", 0.2, 1.0, model="binary3d")
    with pytest.raises(ValueError, match="cannot pool"):
        pool_replicas(main, [load_campaign(other.parent)])
    with pytest.raises(TypeError, match="CampaignData"):
        pool_replicas(main, [None])
