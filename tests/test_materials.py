"""Tests of scaledyn.materials: the shipped table and the validation of corrupt files."""

import numpy as np
import pytest

from scaledyn import materials, vft

HEADER = "material,class,Tg_K,m,B_vft_K,T0_K,x0,x0_unit,status,citation,notes\n"
GOOD = "glycerol,molecular,190,53,,,,,P,angell1997entropy,checked m\n"
FIT = "otp,molecular,243,,689,231,4.65e-4,P,V,greet1967glass,abstract\n"


def write(tmp_path, text, name="m.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_shipped_table_loads_and_is_honest():
    df = materials.load_materials()
    assert len(df) >= 2
    assert set(df["status"]) <= set(materials.STATUS)
    assert not df.duplicated(["material", "citation"]).any()
    # chapter 4 uses every row: none may be unverified (strong-to-fragile coverage comes from the
    # measured viscosities of data/viscosity/, tested in test_viscosity.py)
    assert "U" not in set(df["status"])
    # every row cites a key that exists in the glass bibliography
    from scaledyn import REPO_ROOT

    bib = (REPO_ROOT / "bib" / "glass.bib").read_text()
    for key in df["citation"]:
        assert "{" + key + "," in bib, key
    # rows marked V must not say "not checked" in their notes; rows marked U must
    for _, row in df.iterrows():
        if row["status"] == "U":
            assert "not checked" in row["notes"]
        if row["status"] == "V":
            assert "not checked" not in row["notes"]


def test_parameterisation_reproduces_tg_and_m():
    df = materials.with_vft_parameterisation(materials.load_materials())
    df = df[df["m"].notna()]
    for _, row in df.iterrows():
        p = dict(log10_tau0=-14.0, D=row["D_implied"], T0=row["T0_implied_K"])
        assert vft.vft_log10_tau(row["Tg_K"], **p) == pytest.approx(2.0, abs=1e-10)
        assert vft.vft_fragility(**p) == pytest.approx(row["m"], rel=1e-10)
    # fragile means small D
    order = np.argsort(df["m"].to_numpy())
    assert np.all(np.diff(df["D_implied"].to_numpy()[order]) <= 0)


def test_good_minimal_file(tmp_path):
    df = materials.load_materials(write(tmp_path, "# comment\n" + HEADER + GOOD))
    assert df.loc[0, "Tg_K"] == 190.0 and np.isnan(df.loc[0, "D_vft"])


def test_vft_fit_row_converted_to_si(tmp_path):
    df = materials.load_materials(write(tmp_path, HEADER + GOOD + FIT))
    row = df.iloc[1]
    assert row["D_vft"] == pytest.approx(689 / 231)
    assert row["log10_x0_si"] == pytest.approx(np.log10(4.65e-5))  # 1 P = 0.1 Pa s
    out = materials.with_vft_parameterisation(df)
    assert np.isnan(out.loc[1, "D_implied"]) and not np.isnan(out.loc[0, "D_implied"])


def test_shipped_viscosity_fit_row():
    df = materials.load_materials()
    otp = df[(df["material"] == "o-terphenyl") & df["B_vft_K"].notna()].iloc[0]
    assert otp["status"] == "V" and otp["x0_unit"] == "P"
    # a viscosity of 1e12 Pa s (Tg by viscosity) is reached above T0 and near the printed Tg
    tg = vft.vft_tg(otp["log10_x0_si"], otp["D_vft"], otp["T0_K"], level=12.0)
    assert otp["T0_K"] < tg < otp["Tg_K"] + 10


@pytest.mark.parametrize("text,match", [
    (HEADER.replace("Tg_K", "Tg_C") + GOOD, "columns"),
    (HEADER.replace(",notes", "") + GOOD.rsplit(",", 1)[0] + "\n", "columns"),
    (HEADER + GOOD.replace(",P,", ",maybe,"), "status"),
    (HEADER + GOOD.replace(",P,", ",,"), "'status' is empty"),
    (HEADER + GOOD.replace("190", "-83"), "Tg_K"),          # Celsius slipped in
    (HEADER + GOOD.replace("190", "abc"), "not a number"),
    (HEADER + GOOD.replace(",53,", ",nan,"), "not finite"),
    (HEADER + GOOD.replace(",53,", ",5300,"), "'m'"),
    (HEADER + GOOD.replace("angell1997entropy", ""), "'citation' is empty"),
    (HEADER + GOOD + GOOD, "duplicate"),
    (HEADER + GOOD.replace(",,,,,", ",2000,250,,,"), "T0_K"),  # T0 above Tg
    (HEADER + GOOD.replace(",,,,,", ",2000,,,,"), "together"),
    (HEADER + GOOD.replace(",,,,,", ",-3,130,,,"), "B_vft_K"),
    (HEADER + FIT.replace(",P,V,", ",cP,V,"), "x0_unit"),
    (HEADER + FIT.replace(",P,V,", ",,V,"), "x0_unit"),
    (HEADER + FIT.replace(",4.65e-4,", ",-1,"), "'x0'"),
    (HEADER + FIT.replace(",689,231,", ",,,"), "no VFT fit"),
    (HEADER, "no rows"),
])
def test_corrupt_files_rejected(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        materials.load_materials(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        materials.load_materials(tmp_path / "absent.csv")


def test_parameterisation_rejects_non_dataframe():
    with pytest.raises(TypeError, match="df must be"):
        materials.with_vft_parameterisation({"Tg_K": [1]})


@pytest.mark.parametrize("content", [b"", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))])
def test_empty_or_binary_file_is_named(tmp_path, content):
    p = tmp_path / "broken_table.csv"
    p.write_bytes(content)
    with pytest.raises(ValueError, match="broken_table.csv"):
        materials.load_materials(p)
