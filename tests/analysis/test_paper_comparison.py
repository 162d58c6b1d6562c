"""The source's numbers beside ours: the stored quotations, the three agreement measures on planted
values of known pull, ratio and overlap, Table II carried to another reference, and bad input."""

import dataclasses

import numpy as np
import pytest

from scaledyn.analysis import free_energy, paper_comparison as pc, species

HUMP = species.hump2d_scheme()


def species_fit(H, H_err, ln_g, ln_g_err):
    n = len(H)
    return free_energy.SpeciesFit(H=np.asarray(H, float), H_err=np.asarray(H_err, float), ln_g=np.asarray(ln_g, float),
                                  ln_g_err=np.asarray(ln_g_err, float), cov_H_lng=np.zeros(n), r2=np.ones(n),
                                  n_points=np.full(n, 10), residuals=np.zeros((10, n)))


def test_the_quotations_are_read_with_their_kind_and_place():
    mu = pc.paper_values("binary3d", "mu")
    assert [(v.value, v.where) for v in mu] == [(0.3, "Sec. IV.A (text)"), (0.37, "Fig. 11 caption")]
    assert [v.value for v in pc.paper_values("hump2d", "mu")] == [0.34]
    assert pc.paper_values("hump2d", "bond_energy")[0].value == 0.83
    assert {v.kind for v in pc.paper_values(quantity="tau_inf")} == {"order"}
    assert all(v.kind == "value" for v in pc.paper_values(quantity="mu"))
    assert len(pc.paper_values()) == 10


def test_pull_ratio_and_overlap_on_planted_values():
    assert pc.pull(1.3, 0.1, 1.0) == pytest.approx(3.0)
    r = pc.compare_value("m", "q", "here", 1.0, 1.29, 0.1)
    assert r.measure == "pull" and r.agreement == pytest.approx(2.9) and r.agrees
    assert not pc.compare_value("m", "q", "here", 1.0, 1.31, 0.1).agrees
    assert not pc.compare_value("m", "q", "here", 1.0, 0.69, 0.1).agrees                # both signs
    assert pc.compare_value("m", "q", "here", 1.0, 1.31, 0.1, z_max=4).agrees
    o = pc.compare_order("m", "tau_inf", "here", 1.0, 0.2)
    assert o.measure == "ratio" and o.agreement == pytest.approx(0.2) and o.agrees
    assert not pc.compare_order("m", "tau_inf", "here", 1.0, 0.09).agrees               # more than 10× below
    assert not pc.compare_order("m", "tau_inf", "here", 1.0, 11.0).agrees
    assert pc.compare_order("m", "tau_inf", "here", 1.0, 0.4, order=2.5).agrees
    assert pc.set_overlap(["s3", "s4", "s5"], ["s4", "s5", "s6", "s7"]) == pytest.approx(2 / 5)
    s = pc.compare_sets("m", "species", "here", ["s3", "s4", "s5", "s7"], ["s4", "s5", "s7", "s3"])
    assert s.agrees and s.agreement == 1.0 and s.paper == "3–5, 7"


def test_table_ii_rows_carry_the_paper_to_our_reference():
    """A fit that *is* Table II measured from i = 4 agrees everywhere; moving H_5 by 3.5 σ and g_6 by
    a factor e^{2σ} gives exactly those pulls."""
    p = free_energy.paper_hump_table()
    H, g = free_energy.change_reference(p["H"], p["g"], HUMP, ["4"])
    err = np.full(5, 0.01)
    rows = pc.table2_rows(species_fit(H, err, np.log(g), err), HUMP, ["4"])
    assert [r.quantity for r in rows] == ["H_2", "g_2", "H_3", "g_3", "H_5", "g_5", "H_6", "g_6"]
    assert all(r.agrees and abs(r.agreement) < 1e-9 for r in rows)
    assert rows[0].paper == pytest.approx(p["H"][0] - p["H"][2])                   # H_2 − H_4 of Table II
    H2, lng2 = H.copy(), np.log(g)
    H2[HUMP.index("5")] += 0.035
    lng2[HUMP.index("6")] -= 0.02
    rows = {r.quantity: r for r in pc.table2_rows(species_fit(H2, err, lng2, err), HUMP, ["4"])}
    assert rows["H_5"].agreement == pytest.approx(3.5) and not rows["H_5"].agrees
    assert rows["g_6"].agreement == pytest.approx(-2.0) and rows["g_6"].agrees
    assert rows["g_6"].ours == pytest.approx(g[HUMP.index("6")] * np.exp(-0.02))
    # species in another order are matched by label
    perm = [4, 3, 2, 1, 0]
    rev = HUMP.subset([HUMP.labels[k] for k in perm])
    rows_rev = {r.quantity: r for r in pc.table2_rows(species_fit(H2[perm], err, lng2[perm], err), rev, ["4"])}
    assert rows_rev["H_5"].agreement == pytest.approx(3.5)


def test_gaussian_constant_and_species_rows():
    paper = free_energy.paper_binary_gaussian()
    gf = free_energy.GaussianFit(n_mp=paper["small"]["n_mp"] + 0.2, n_mp_err=0.1, sigma2=paper["small"]["sigma2"],
                                 sigma2_err=0.05, amplitude=1.0, amplitude_err=0.1, r2=1.0, residuals=np.zeros(3))
    rows = pc.gaussian_rows({"small": gf})
    assert [r.quantity for r in rows] == ["n_mp (small)", "σ² (small)"]
    assert rows[0].agreement == pytest.approx(2.0) and rows[1].agreement == pytest.approx(0.0)
    mu = pc.constant_rows("binary3d", "mu", 0.325, 0.01)
    assert [r.agreement for r in mu] == pytest.approx([2.5, -4.5]) and [r.agrees for r in mu] == [True, False]
    tau = pc.constant_rows("hump2d", "tau_inf", 0.29, 0.01)
    assert tau[0].measure == "ratio" and tau[0].agreement == pytest.approx(0.29)
    b = {r.quantity: r for r in pc.species_rows(
        "binary3d", [f"s{n}" for n in range(5, 13)] + [f"l{n}" for n in range(9, 18)],
        [f"s{n}" for n in range(5, 10)] + [f"l{n}" for n in range(9, 14)])}
    assert b["species (small centre)"].agreement == pytest.approx(6 / 10)        # 5–10 shared of 3–12
    assert b["species (large centre)"].agreement == pytest.approx(6 / 12)        # 9–14 of 6–17
    assert b["liquid (small centre)"].agreement == pytest.approx(3 / 7)          # 5–7 of 3–9
    assert b["liquid (large centre)"].agreement == pytest.approx(3 / 8)          # 9–11 of 6–13
    assert b["species (small centre)"].paper == "3–10" and b["species (small centre)"].ours == "5–12"
    h = pc.species_rows("hump2d", list(HUMP.labels), ["2", "5", "6"])
    assert [(r.paper, r.ours, r.agrees) for r in h] == [("2–6", "2–6", True), ("2, 5–6", "2, 5–6", True)]
    df = pc.table(rows + mu + tau + h)
    assert list(df.columns) == ["model", "quantity", "where", "paper", "ours", "± ours", "measure", "agreement",
                                "agrees"]
    assert df["agreement"].tolist()[:2] == ["+2.0", "+0.0"] and df["agrees"].tolist()[3] == "no"
    assert df["± ours"].tolist()[-1] == "" and df["ours"].tolist()[2] == "0.325"


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="err"):
        pc.pull(1.0, 0.0, 1.0)
    with pytest.raises(TypeError, match="ours"):
        pc.pull("1", 0.1, 1.0)
    with pytest.raises(ValueError, match="order"):
        pc.compare_order("m", "q", "w", 1.0, 1.0, order=0.5)
    with pytest.raises(TypeError, match="labels"):
        pc.set_overlap("s3", ["s3"])
    with pytest.raises(ValueError, match="at least one"):
        pc.set_overlap([], ["s3"])
    with pytest.raises(ValueError, match="quotes no"):
        pc.constant_rows("binary3d", "bond_energy", 0.8, 0.01)
    with pytest.raises(ValueError, match="model"):
        pc.species_rows("lj", ["2"], ["2"])
    with pytest.raises(ValueError, match="Table II"):
        pc.table2_rows(species_fit([0.0] * 3, [0.1] * 3, [0.0] * 3, [0.1] * 3), HUMP.subset(["2", "3", "4"]), ["2"])
    with pytest.raises(ValueError, match="keyed"):
        pc.gaussian_rows({"medium": None})
    with pytest.raises(TypeError, match="rows"):
        pc.table([])


def test_the_new_paper_values_are_read_with_their_kinds():
    trend = pc.paper_values("binary3d", "enthalpy_order")
    assert len(trend) == 1 and trend[0].kind == "trend" and trend[0].value == -1.0
    assert pc.paper_values("hump2d", "cv_peak_T")[0].value == 0.1
    assert pc.paper_values("hump2d", "cv_negative_T")[0].value == 0.05
    assert pc.paper_values("binary3d", "eq14_constant")[0].value == 2.8


def test_a_ranking_agrees_only_in_the_same_order():
    same = pc.compare_ranking("hump2d", "enthalpy order", "Table II", ["2", "3", "4"], [0.0, -0.5, -0.6], [0.1, -0.2, -0.9])
    assert same.agrees and same.agreement == pytest.approx(1.0) and same.paper == "4 < 3 < 2" == same.ours
    swap = pc.compare_ranking("hump2d", "enthalpy order", "Table II", ["2", "3", "4"], [0.0, -0.5, -0.6], [0.1, -0.9, -0.2])
    assert not swap.agrees and swap.agreement == pytest.approx(1 / 3) and swap.ours == "3 < 4 < 2"
    rev = pc.compare_ranking("m", "q", "w", ["a", "b", "c"], [1, 2, 3], [3, 2, 1])
    assert rev.agreement == pytest.approx(-1.0) and not rev.agrees
    with pytest.raises(ValueError, match="one value per label"):
        pc.compare_ranking("m", "q", "w", ["a", "b"], [1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        pc.compare_ranking("m", "q", "w", ["a", "b"], [1, np.nan], [1, 2])


def test_enthalpy_order_rows_against_table_ii_and_the_binary_trend():
    paper = free_energy.paper_hump_table()
    hump = species.hump2d_scheme()
    T = np.linspace(0.1, 0.5, 9)
    C = free_energy.model_concentrations(T, paper["H"], paper["g"], hump)
    fit = free_energy.fit_species(T, C, hump, reference=("2",))[3]
    (row,) = pc.enthalpy_order_rows("hump2d", fit, hump, ("2",))
    assert row.agrees and row.paper == "4 < 3 < 5 < 6 < 2"
    H = paper["H"].copy()
    H[[1, 2]] = H[[2, 1]]                                   # swap H_3 and H_4: the order changes
    fit_sw = free_energy.fit_species(T, free_energy.model_concentrations(T, H, paper["g"], hump), hump,
                                     reference=("2",))[3]
    (row_sw,) = pc.enthalpy_order_rows("hump2d", fit_sw, hump, ("2",))
    assert not row_sw.agrees and row_sw.ours.startswith("3 < 4")
    # a reference other than Table II's: the paper's values are carried over, the order is unchanged
    fit4 = free_energy.fit_species(T, C, hump, reference=("4",))[3]
    assert pc.enthalpy_order_rows("hump2d", fit4, hump, ("4",))[0].agrees
    # binary: enthalpies that fall with n agree with the stated trend, rising ones do not
    binary = species.binary3d_scheme()
    n = binary.n_neighbours.astype(float)
    falling = dataclasses.replace(fit, H=-0.3 * n, ln_g=np.zeros(n.size), H_err=np.ones(n.size),
                                  ln_g_err=np.ones(n.size))
    rows = pc.enthalpy_order_rows("binary3d", falling, binary, None)
    assert len(rows) == 2 and all(r.agrees for r in rows) and rows[0].quantity == "enthalpy order (small centre)"
    rising = dataclasses.replace(falling, H=0.3 * n)
    assert all(r.agreement == pytest.approx(-1.0) for r in pc.enthalpy_order_rows("binary3d", rising, binary, None))


def test_a_claim_row_records_whether_the_statement_holds():
    r = pc.compare_claim("hump2d", "C_v < 0 below the range", "Sec. V.B", "yes, near T = 0.05", "no", False)
    assert r.measure == "claim" and r.agreement == 0.0 and not r.agrees
    assert pc.table([r])["agreement"].iloc[0] == "fails"
    with pytest.raises(TypeError, match="strings"):
        pc.compare_claim("m", "q", "w", 1, "x", True)
