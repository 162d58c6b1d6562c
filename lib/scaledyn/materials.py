r"""The literature table ``data/materials.csv``: glass formers, their Tg and fragility, validated.

Columns (units in the names; ``#`` lines are comments). Numbers are stored *as printed* in the cited
source; conversions happen in the loader.

============== ====================================================================================
material       name (a material may appear in several rows, one per source)
class          family of glass former (free text, e.g. "network oxide")
Tg_K           glass-transition temperature, K (20–5000)
m              kinetic fragility (steepness index) :math:`\mathrm{d}\log_{10}\tau/\mathrm{d}(T_g/T)`
               at :math:`T_g`, dimensionless (10–250); optional if a VFT fit is given
B_vft_K        VFT :math:`B = D T_0` of :math:`x = x_0\exp[B/(T-T_0)]`, K (optional, > 0)
T0_K           VFT temperature, K (given together with B_vft_K; 0 < T0 < Tg)
x0             VFT prefactor, > 0 (optional; needs x0_unit)
x0_unit        ``s`` (relaxation time), ``Pa s`` or ``P`` (viscosity, poise)
status         V (confirmed in the cited source: open text or abstract), P (partly confirmed, see
               notes), U (unverified: as attributed to the source, original not checked)
citation       BibTeX key of the source (in ``bib/glass.bib``); (material, citation) is unique
notes          what was checked, and where
============== ====================================================================================

:func:`load_materials` refuses a file that breaks any of these rules and names the offending column
and row; it adds ``D_vft`` (= B/T0) and ``log10_x0_si`` (log10 of the prefactor in s or Pa s).
:func:`with_vft_parameterisation` adds the VFT parameters *implied* by (Tg, m) for a chosen
:math:`\tau_0` and :math:`\tau(T_g)` — a parameterisation, not a measurement.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import vft

__all__ = ["COLUMNS", "STATUS", "X0_UNITS", "default_path", "load_materials", "with_vft_parameterisation"]

#: Required columns, in order.
COLUMNS = ("material", "class", "Tg_K", "m", "B_vft_K", "T0_K", "x0", "x0_unit", "status", "citation", "notes")
#: Allowed status codes and their meaning.
STATUS = {
    "V": "confirmed in the cited open source",
    "P": "partly confirmed (see notes)",
    "U": "unverified (as attributed to the source; original not checked)",
}
_NUMERIC = ("Tg_K", "m", "B_vft_K", "T0_K", "x0")
_REQUIRED_VALUES = ("material", "class", "Tg_K", "status", "citation")
#: Allowed prefactor units and their factor to SI (s or Pa s).
X0_UNITS = {"s": 1.0, "Pa s": 1.0, "P": 0.1}


def default_path() -> Path:
    """``data/materials.csv`` of the book's repository."""
    from . import data_path

    return data_path("materials.csv")


def load_materials(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the materials table; returns a DataFrame indexed 0..n-1.

    Raises ``FileNotFoundError`` if the file is missing, ``ValueError`` naming the file if it is
    empty, binary or not CSV, and ``ValueError`` (naming the column and the material) for a wrong header, a missing required value, a non-numeric or out-of-range
    number, an unknown status code or a duplicate material.
    """
    path = default_path() if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {path} does not exist")
    try:
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        # an empty or binary file must be reported with its name, not as a bare parser message
        raise ValueError(f"path {path}: not a readable CSV table ({type(exc).__name__}: {exc})") from exc
    cols = tuple(c.strip() for c in df.columns)
    if cols != COLUMNS:
        missing = [c for c in COLUMNS if c not in cols]
        extra = [c for c in cols if c not in COLUMNS]
        raise ValueError(
            f"columns of {path.name} must be {list(COLUMNS)}; missing {missing}, unexpected {extra}"
        )
    df.columns = list(cols)
    if len(df) == 0:
        raise ValueError(f"{path.name} has no rows")
    df = df.apply(lambda s: s.str.strip())

    for col in _REQUIRED_VALUES:
        empty = df.index[df[col] == ""].tolist()
        if empty:
            raise ValueError(f"column {col!r} is empty in row(s) {[i + 1 for i in empty]} of {path.name}")
    dup = df.loc[df.duplicated(["material", "citation"]), "material"].tolist()
    if dup:
        raise ValueError(f"columns 'material' and 'citation' have duplicate pairs: {dup}")
    bad = sorted(set(df["status"]) - set(STATUS))
    if bad:
        raise ValueError(f"column 'status' has unknown codes {bad}; allowed {sorted(STATUS)}")

    out = df.copy()
    for col in _NUMERIC:
        vals = []
        for name, raw in zip(df["material"], df[col]):
            if raw == "":
                vals.append(np.nan)
                continue
            try:
                v = float(raw)
            except ValueError:
                raise ValueError(f"column {col!r} of {name!r} is not a number: {raw!r}") from None
            if not math.isfinite(v):
                raise ValueError(f"column {col!r} of {name!r} is not finite: {raw!r}")
            vals.append(v)
        out[col] = np.array(vals, dtype=float)

    def _check(col, cond, what):
        bad = out.loc[~cond & out[col].notna(), "material"].tolist()
        if bad:
            raise ValueError(f"column {col!r} must be {what}; violated by {bad}")

    # Units: Tg in kelvin (a value below 20 K or above 5000 K is surely a unit slip, e.g. °C or kK).
    _check("Tg_K", (out["Tg_K"] >= 20) & (out["Tg_K"] <= 5000), "a temperature in kelvin between 20 and 5000")
    # m is at least ~15 for any liquid with tau0 >= 1e-14 s and tau(Tg) ~ 100 s; above ~250 nothing is known.
    _check("m", (out["m"] >= 10) & (out["m"] <= 250), "a fragility index between 10 and 250")
    _check("B_vft_K", out["B_vft_K"] > 0, "positive (kelvin)")
    _check("T0_K", (out["T0_K"] > 0) & (out["T0_K"] < out["Tg_K"]), "a temperature in kelvin between 0 and Tg_K")
    _check("x0", out["x0"] > 0, "positive")
    partial = out.loc[out["B_vft_K"].isna() != out["T0_K"].isna(), "material"].tolist()
    if partial:
        raise ValueError(f"columns 'B_vft_K' and 'T0_K' must be given together; only one given for {partial}")
    no_data = out.loc[out["m"].isna() & out["B_vft_K"].isna(), "material"].tolist()
    if no_data:
        raise ValueError(f"column 'm' is empty and no VFT fit is given for {no_data}")
    bad_unit = out.loc[(out["x0_unit"] != "") & ~out["x0_unit"].isin(list(X0_UNITS)), "material"].tolist()
    if bad_unit:
        raise ValueError(f"column 'x0_unit' must be one of {list(X0_UNITS)}; violated by {bad_unit}")
    no_unit = out.loc[out["x0"].notna() & (out["x0_unit"] == ""), "material"].tolist()
    if no_unit:
        raise ValueError(f"column 'x0_unit' is empty although x0 is given for {no_unit}")
    out["D_vft"] = out["B_vft_K"] / out["T0_K"]
    factor = out["x0_unit"].map(X0_UNITS).astype(float)
    out["log10_x0_si"] = np.log10(out["x0"] * factor)
    return out.reset_index(drop=True)


def with_vft_parameterisation(df: pd.DataFrame, tau0: float = 1e-14, tau_g: float = 100.0) -> pd.DataFrame:
    r"""Add columns ``D_implied``, ``T0_implied_K`` and ``m_min``: the VFT law through (Tg, m).

    With :math:`m_\min=\log_{10}(\tau_g/\tau_0)`: :math:`D = m_\min^2\ln 10/(m-m_\min)`,
    :math:`T_0 = T_g(1-m_\min/m)`. Rows with :math:`m \le m_\min` get NaN (no VFT law with that τ0
    is as strong as that) and so do rows without m.
    """
    if not isinstance(df, pd.DataFrame) or not {"Tg_K", "m"} <= set(df.columns):
        raise TypeError("df must be a DataFrame with columns 'Tg_K' and 'm' (from load_materials)")
    mm = vft.m_min(tau_g, tau0)
    out = df.copy()
    ok = out["m"].notna() & (out["m"] > mm)
    D = np.full(len(out), np.nan)
    T0 = np.full(len(out), np.nan)
    D[ok.values] = vft.strength_from_fragility(out.loc[ok, "m"].to_numpy(), mm)
    T0[ok.values] = vft.t0_from_fragility(out.loc[ok, "Tg_K"].to_numpy(), out.loc[ok, "m"].to_numpy(), mm)
    out["m_min"] = mm
    out["D_implied"] = D
    out["T0_implied_K"] = T0
    return out
