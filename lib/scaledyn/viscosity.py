r"""Measured viscosities η(T) of oxide melts, traced to their primary sources, and fits of three laws.

The measurements come from the table ``dataset+sciglass_lp.csv`` shipped in the PyPI wheel of
``gpvisc`` 0.3.5 :cite:`lelosq2025gpvisc` (GPL-3.0): :math:`\log_{10}(\eta/\mathrm{Pa\,s})` against
:math:`T` (K) for thousands of compositions (mol % oxides), each point with a short code of the
publication it was taken from. ``python3 tasks.py setup`` downloads that one wheel (without its machine
learning dependencies), checks its sha256 and extracts the table into ``_vendor/gpvisc/`` — outside
git: the book reads the data but does not redistribute them. :data:`TABLE_SHA256` pins the extracted
file, so a changed table is refused rather than silently fitted.

Which compositions the book uses, and which of their sources, is stated in the small table
``data/viscosity/selection.csv`` (our own): one row per material with the gpvisc composition key,
the reference codes kept and the BibTeX key of each primary publication. Points from other sources of
the same composition, SciGlass isokoms without a reference, and exact duplicates (the same points
listed under two codes) are left out.

Fits use :func:`scaledyn.vft.fit` on :math:`\log_{10}\eta` with ``level = 12`` (the glass
transition at :math:`\eta = 10^{12}` Pa s), so :math:`T_g` and the steepness index
:math:`m = \mathrm{d}\log_{10}\eta/\mathrm{d}(T_g/T)|_{T_g}` are comparable across laws. The
measurement errors are not in the table; the covariance is scaled by the residual variance
(``absolute_sigma=False``), so the standard errors include the scatter between laboratories.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import REPO_ROOT, data_path, vft

__all__ = [
    "TABLE_SHA256",
    "SELECTION_COLUMNS",
    "default_table_path",
    "load_table",
    "load_selection",
    "curves",
    "fit_curves",
]

#: sha256 of ``dataset+sciglass_lp.csv`` as extracted from ``gpvisc-0.3.5-py3-none-any.whl``.
TABLE_SHA256 = "5a5bbf6e9e5a9048015f5e7724e644d73c312e3358b767d672085757ed2e58f3"
#: Columns of the gpvisc table that are used.
TABLE_COLUMNS = ("T", "viscosity", "Name", "ref")
#: Columns of ``data/viscosity/selection.csv``.
SELECTION_COLUMNS = ("material", "formula", "gpvisc_name", "gpvisc_refs", "citations", "notes")
#: Fewer points than this cannot constrain three parameters and show a misfit.
MIN_POINTS = 8


def default_table_path() -> Path:
    """``$SCALEDYN_GPVISC_CSV``, else ``_vendor/gpvisc/dataset+sciglass_lp.csv`` of the checkout, else the
    copy the in-browser (JupyterLite) wheel carries beside the package (``scaledyn/_vendor/gpvisc/``)."""
    env = os.environ.get("SCALEDYN_GPVISC_CSV")
    if env:
        return Path(env)
    checkout = REPO_ROOT / "_vendor" / "gpvisc" / "dataset+sciglass_lp.csv"
    wheel = Path(__file__).parent / "_vendor" / "gpvisc" / "dataset+sciglass_lp.csv"
    return wheel if not checkout.exists() and wheel.exists() else checkout


def load_table(path: str | Path | None = None, *, verify: bool = True) -> pd.DataFrame:
    """Read the gpvisc viscosity table (T in K, ``viscosity`` = log10 η/Pa s, ``Name``, ``ref``).

    Raises ``FileNotFoundError`` (saying how to fetch it) if the file is missing, ``ValueError``
    naming the file if its sha256 differs from :data:`TABLE_SHA256` (with ``verify``), if it is not a
    readable CSV, or if a needed column is missing.
    """
    path = default_table_path() if path is None else Path(path)
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be a bool, got {type(verify).__name__}")
    if not path.exists():
        raise FileNotFoundError(
            f"viscosity table {path} not found: run `python3 tasks.py setup`, which fetches the gpvisc 0.3.5 "
            "wheel and extracts it (or set SCALEDYN_GPVISC_CSV to an extracted copy)"
        )
    if verify:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != TABLE_SHA256:
            raise ValueError(f"path {path}: sha256 {digest} is not that of the gpvisc 0.3.5 table ({TABLE_SHA256})")
    try:
        df = pd.read_csv(path, index_col=0, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"path {path}: not a readable CSV table ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"path {path}: columns {missing} are missing from the viscosity table")
    return df


def load_selection(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/viscosity/selection.csv``; ``gpvisc_refs`` and ``citations`` become lists.

    Raises ``ValueError`` naming the file for a wrong header, an empty required field, a repeated
    material, or a row whose number of reference codes and citations differ.
    """
    path = data_path("viscosity", "selection.csv") if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {path} does not exist")
    try:
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"path {path}: not a readable CSV table ({type(exc).__name__}: {exc})") from exc
    if tuple(df.columns) != SELECTION_COLUMNS:
        raise ValueError(f"columns of {path.name} must be {list(SELECTION_COLUMNS)}, got {list(df.columns)}")
    for col in SELECTION_COLUMNS[:-1]:
        empty = df.index[df[col].str.strip() == ""].tolist()
        if empty:
            raise ValueError(f"column {col!r} of {path.name} is empty in row(s) {[i + 1 for i in empty]}")
    dup = df.loc[df["material"].duplicated(), "material"].tolist()
    if dup:
        raise ValueError(f"column 'material' of {path.name} repeats {dup}")
    df = df.copy()
    for col in ("gpvisc_refs", "citations"):
        df[col] = df[col].map(lambda s: [x.strip() for x in s.split(";")])
    bad = df.loc[df["gpvisc_refs"].map(len) != df["citations"].map(len), "material"].tolist()
    if bad:
        raise ValueError(f"{path.name}: gpvisc_refs and citations must pair one to one; violated by {bad}")
    return df.reset_index(drop=True)


def curves(table: pd.DataFrame | None = None, selection: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The measured curve of every selected material: ``{material: DataFrame(T_K, log10_eta, ref, citation)}``.

    Only points whose reference code is listed for that material are kept; exact repeats of a
    (T, log10 η) pair are dropped; rows are sorted by temperature. ``ValueError`` if a listed code has
    no point of that composition, or if fewer than :data:`MIN_POINTS` points remain.
    """
    table = load_table() if table is None else table
    selection = load_selection() if selection is None else selection
    if not isinstance(table, pd.DataFrame) or not set(TABLE_COLUMNS) <= set(table.columns):
        raise TypeError(f"table must be a DataFrame with columns {list(TABLE_COLUMNS)} (from load_table)")
    if not isinstance(selection, pd.DataFrame) or not set(SELECTION_COLUMNS) <= set(selection.columns):
        raise TypeError(f"selection must be a DataFrame with columns {list(SELECTION_COLUMNS)} (from load_selection)")
    out = {}
    for _, row in selection.iterrows():
        rows = table[table["Name"] == row["gpvisc_name"]]
        cite = dict(zip(row["gpvisc_refs"], row["citations"]))
        absent = [code for code in cite if not (rows["ref"] == code).any()]
        if absent:
            raise ValueError(f"selection: material {row['material']!r} has no point with reference code(s) {absent}")
        pts = rows[rows["ref"].isin(list(cite))].drop_duplicates(["T", "viscosity"])
        if len(pts) < MIN_POINTS:
            raise ValueError(f"selection: material {row['material']!r} has {len(pts)} points, fewer than {MIN_POINTS}")
        curve = pd.DataFrame({
            "T_K": pts["T"].to_numpy(float), "log10_eta": pts["viscosity"].to_numpy(float),
            "ref": pts["ref"].to_numpy(), "citation": pts["ref"].map(cite).to_numpy(),
        })
        out[row["material"]] = curve.sort_values("T_K", ignore_index=True)
    return out


def fit_curves(curve_dict: dict[str, pd.DataFrame], level: float = 12.0) -> pd.DataFrame:
    r"""Fit VFT, MYEGA and Avramov–Milchev to every curve; one row per (material, law).

    Columns: ``material``, ``law``, ``n``, ``Tg_K`` and ``Tg_err_K`` (where :math:`\log_{10}\eta`
    = ``level``), ``m`` and ``m_err``, ``rms`` (decades), ``dAIC`` (AIC minus the material's best),
    ``T0_K``, ``T0_err_K``, ``D``, ``D_err`` (VFT only, else NaN), ``log10_eta_inf`` (the high-temperature limit:
    :math:`\log_{10}\eta_0` of VFT, :math:`L_\infty` of MYEGA and AM), ``pinned`` (parameters that
    ended on a bound; a :class:`scaledyn.vft.FitWarning` is recorded here instead of printed).
    """
    if not isinstance(curve_dict, dict) or not curve_dict:
        raise TypeError("curve_dict must be a non-empty dict {material: DataFrame} (from curves)")
    rows = []
    for material, c in curve_dict.items():
        if not isinstance(c, pd.DataFrame) or not {"T_K", "log10_eta"} <= set(c.columns):
            raise TypeError(f"curve_dict[{material!r}] must be a DataFrame with columns T_K and log10_eta")
        with warnings.catch_warnings():
            # a pinned parameter is reported in the table's 'pinned' column, not on stderr
            warnings.simplefilter("ignore", vft.FitWarning)
            fits = vft.fit_all(c["T_K"].to_numpy(), log10_tau=c["log10_eta"].to_numpy(), level=level)
        best = min(r.aic for r in fits.values())
        for law, r in fits.items():
            is_vft = law == "vft"
            rows.append({
                "material": material, "law": law, "n": r.n, "Tg_K": r.tg, "Tg_err_K": r.tg_err,
                "m": r.fragility, "m_err": r.fragility_err, "rms": r.rms, "dAIC": r.aic - best,
                "T0_K": r.params["T0"] if is_vft else np.nan, "T0_err_K": r.stderr["T0"] if is_vft else np.nan,
                "D": r.params["D"] if is_vft else np.nan, "D_err": r.stderr["D"] if is_vft else np.nan,
                "log10_eta_inf": r.params["log10_tau0" if is_vft else "log10_tau_inf"],
                "pinned": ", ".join(r.pinned),
            })
    return pd.DataFrame(rows)
