"""Tests of scaledyn.viscosity: the measured η(T) curves of chapter 4, their provenance and their fits.

The real table is fetched by `python3 tasks.py setup` (gpvisc 0.3.5 wheel, sha256-pinned); these tests
read it like the chapter does.
"""

import re

import numpy as np
import pandas as pd
import pytest

from scaledyn import REPO_ROOT, viscosity


@pytest.fixture(scope="module")
def curves():
    return viscosity.curves()


@pytest.fixture(scope="module")
def fits(curves):
    return viscosity.fit_curves(curves)


def test_every_source_is_cited_in_the_bibliography():
    sel = viscosity.load_selection()
    bib = (REPO_ROOT / "bib" / "glass.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = {k for row in sel["citations"] for k in row}
    assert cited <= keys, f"citations missing from bib/glass.bib: {sorted(cited - keys)}"
    assert len(sel) >= 8


def test_curves_are_measured_data_spanning_many_decades(curves):
    for material, c in curves.items():
        assert len(c) >= viscosity.MIN_POINTS, material
        assert np.all(np.diff(c["T_K"]) >= 0), material
        assert not c.duplicated(["T_K", "log10_eta"]).any(), material
        assert c["citation"].notna().all(), material
        # from a fluid melt to the glass transition: the curve reaches 1e11 Pa s and spans >= 8 decades
        assert c["log10_eta"].max() >= 11 and np.ptp(c["log10_eta"]) >= 8, material
        # viscosity grows on cooling: Spearman correlation of log eta with 1/T is strongly positive
        rho = pd.Series(1 / c["T_K"]).corr(pd.Series(c["log10_eta"]), method="spearman")
        assert rho > 0.95, material


def test_fits_order_strong_to_fragile(fits):
    vft_rows = fits[fits.law == "vft"].set_index("material")
    m = vft_rows["m"]
    # silica is the strongest melt of the set and the Ca/Mg silicates are the most fragile
    assert m.idxmin() == "silica"
    assert m["silica"] < 30 and m["albite"] < 30
    assert min(m["diopside"], m["wollastonite"], m["anorthite"]) > 50
    # the VFT temperature approaches Tg for fragile melts, stays far below it for strong ones
    ratio = vft_rows["T0_K"] / vft_rows["Tg_K"]
    assert ratio["silica"] < 0.5 < 0.65 < min(ratio["diopside"], ratio["wollastonite"], ratio["anorthite"])


def test_the_three_laws_agree_on_tg_but_not_on_everything(fits):
    tg = fits.pivot(index="material", columns="law", values="Tg_K")
    # Tg is an interpolation (the data reach 1e12 Pa s): the laws agree to a few kelvin ...
    assert (tg.max(axis=1) - tg.min(axis=1)).max() < 6.0
    # ... m is a slope there and differs between laws by more than its own standard errors somewhere
    m = fits.pivot(index="material", columns="law", values="m")
    m_err = fits.pivot(index="material", columns="law", values="m_err")
    spread = m.max(axis=1) - m.min(axis=1)
    assert (spread > 3 * m_err.max(axis=1)).any()
    assert (fits["pinned"] == "").all()


def test_known_glass_transitions(fits):
    """Tg at 1e12 Pa s against textbook values (K): SiO2 ~1450, albite ~1090, diopside ~995."""
    tg = fits[fits.law == "myega"].set_index("material")["Tg_K"]
    assert tg["silica"] == pytest.approx(1450, abs=30)
    assert tg["albite"] == pytest.approx(1090, abs=25)
    assert tg["diopside"] == pytest.approx(995, abs=15)


def test_missing_or_changed_table_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="tasks.py setup"):
        viscosity.load_table(tmp_path / "absent.csv")
    fake = tmp_path / "table.csv"
    fake.write_text(",T,viscosity,Name,ref\n0,1000,12,x,y\n")
    with pytest.raises(ValueError, match="table.csv: sha256"):
        viscosity.load_table(fake)
    assert len(viscosity.load_table(fake, verify=False)) == 1
    fake.write_bytes(b"")
    with pytest.raises(ValueError, match="table.csv"):
        viscosity.load_table(fake, verify=False)


def _table():
    T = np.linspace(800, 1400, 10)
    return pd.DataFrame({"T": T, "viscosity": -3 + 4000 / (T - 500), "Name": "X", "ref": "R1"})


def _selection(refs="R1", cites="key1"):
    return pd.DataFrame([{"material": "x", "formula": "X", "gpvisc_name": "X", "gpvisc_refs": refs.split(";"),
                          "citations": cites.split(";"), "notes": ""}])


def test_curves_refuse_unknown_codes_and_short_curves():
    assert len(viscosity.curves(_table(), _selection())["x"]) == 10
    with pytest.raises(ValueError, match="reference code"):
        viscosity.curves(_table(), _selection("R1;R2", "key1;key2"))
    with pytest.raises(ValueError, match="fewer than"):
        viscosity.curves(_table().iloc[:5], _selection())
    with pytest.raises(TypeError, match="table"):
        viscosity.curves([1, 2], _selection())


def test_selection_file_is_validated(tmp_path):
    p = tmp_path / "sel.csv"
    head = ",".join(viscosity.SELECTION_COLUMNS) + "\n"
    p.write_text(head + "x,X,N,R1;R2,key1,\n")
    with pytest.raises(ValueError, match="pair one to one"):
        viscosity.load_selection(p)
    p.write_text(head + "x,X,N,R1,key1,\ny,X,N,R1,key1,\nx,X,N,R1,key1,\n")
    with pytest.raises(ValueError, match="repeats"):
        viscosity.load_selection(p)
    p.write_text("material,formula\nx,X\n")
    with pytest.raises(ValueError, match="columns of sel.csv"):
        viscosity.load_selection(p)
