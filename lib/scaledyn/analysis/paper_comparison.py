r"""The source's numbers beside ours: every number that Boué, Lerner, Procaccia & Zylberg
(arXiv:0905.3962) give for their two models, set against the same quantity measured on our
simulations, with a computed agreement.

**Where the paper's numbers are kept.** Table II (:math:`H_i`, :math:`g_i` of the hump model) and
Eq. (8) (:math:`n_\mathrm{mp}`, :math:`\sigma^2` of the binary degeneracies) are read by
:func:`.free_energy.paper_hump_table` and :func:`.free_energy.paper_binary_gaussian`; the species
ranges and liquid sets are the defaults of :func:`.species.binary3d_scheme` and
:func:`.species.hump2d_scheme`; the single numbers of the text and captions (μ of Eq. 12, the
prefactor τ∞ "of the order of unity", the energy 0.83 per bound neighbour of Eq. 15) are in
``data/paper/quasispecies_constants.csv``, read by :func:`paper_values`. Nothing here is typed twice.

**Agreement**, one measure per row (the paper gives no error bars):

* ``pull`` :math:`z=(x_\mathrm{ours}-x_\mathrm{paper})/\sigma_\mathrm{ours}` for a number the paper
  states and we measure with an error; degeneracies are compared as ln g (their errors are relative).
  The row agrees when :math:`|z|\le z_\mathrm{max}` (default :data:`Z_AGREE`).
* ``ratio`` :math:`x_\mathrm{ours}/x_\mathrm{paper}` where the paper gives an order of magnitude only
  (τ∞): agrees within a factor ``order`` (default :data:`ORDER`) either way.
* ``overlap`` :math:`|A\cap B|/|A\cup B|` of two sets of species (the Jaccard index: 1 for the same
  set, 0 for disjoint sets): agrees when the sets are equal.
* ``order`` Kendall's τ between the paper's ordering of species (by enthalpy, or a stated trend in
  the number of neighbours) and ours: 1 for the same order, −1 for the reverse; agrees when τ = 1.
* ``claim`` a statement of the paper (e.g. "the heat capacity becomes negative") tested on ours:
  1 when it holds, 0 when it does not.

:func:`table` lays the rows out for reading. Units: ε, σ, τ; μ in ε per unit of ξ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._checks import real_scalar
from .free_energy import (GaussianFit, SpeciesFit, _read_paper_csv, _references, change_reference,
                          paper_binary_gaussian, paper_hump_table)
from .species import SpeciesScheme, binary3d_scheme, hump2d_scheme

__all__ = ["Z_AGREE", "ORDER", "PaperValue", "paper_values", "Row", "pull", "set_overlap", "compare_value",
           "compare_order", "compare_sets", "compare_ranking", "compare_claim", "table2_rows", "gaussian_rows",
           "constant_rows", "species_rows", "enthalpy_order_rows", "table"]

#: Default largest |pull| of a number that agrees with the paper's (standard errors).
Z_AGREE = 3.0
#: Default factor within which a value agrees with the paper's "of the order of" a number.
ORDER = 10.0
_KINDS = ("value", "order", "trend")
_MODELS = ("binary3d", "hump2d")


@dataclass(frozen=True)
class PaperValue:
    """One number quoted by the paper: ``model``, ``quantity`` (e.g. "mu"), ``value``, ``kind``
    ("value": a number it states; "order": an order of magnitude; "trend": the sign, ±1, of a
    dependence it states), ``where`` it stands, and its words (``quote``)."""

    model: str
    quantity: str
    value: float
    kind: str
    where: str
    quote: str


def paper_values(model: str | None = None, quantity: str | None = None) -> list[PaperValue]:
    """The single numbers of ``data/paper/quasispecies_constants.csv`` (file order), optionally only
    those of ``model`` and/or ``quantity``. Raises ``ValueError`` naming a malformed row."""
    out = []
    for k, r in enumerate(_read_paper_csv("quasispecies_constants.csv")):
        try:
            v = PaperValue(model=r["model"], quantity=r["quantity"], value=float(r["value"]), kind=r["kind"],
                           where=r["where"], quote=r["quote"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"quasispecies_constants.csv row {k + 1} is malformed: {exc}") from None
        if (v.model not in _MODELS or v.kind not in _KINDS or not np.isfinite(v.value)
                or (v.kind == "trend" and v.value not in (-1.0, 1.0))):
            raise ValueError(f"quasispecies_constants.csv row {k + 1} is malformed: {r}")
        out.append(v)
    return [v for v in out if (model is None or v.model == model) and (quantity is None or v.quantity == quantity)]


@dataclass(frozen=True)
class Row:
    """One line of the comparison: ``model``, ``quantity``, ``where`` in the paper, the ``paper`` and
    ``ours`` values (numbers, or species sets as text), our one-sigma ``err`` (NaN if none), the
    ``measure`` ("pull", "ratio" or "overlap"), its value ``agreement`` and whether the row ``agrees``."""

    model: str
    quantity: str
    where: str
    paper: float | str
    ours: float | str
    err: float
    measure: str
    agreement: float
    agrees: bool


def pull(ours, err, paper) -> float:
    """(ours − paper)/err: how many of our standard errors separate us from the paper's value."""
    ours, paper = real_scalar(ours, "ours"), real_scalar(paper, "paper")
    return (ours - paper) / real_scalar(err, "err", positive=True)


def set_overlap(a, b) -> float:
    """|A ∩ B| / |A ∪ B| of two non-empty collections of labels (1: the same set)."""
    a, b = _label_set(a, "a"), _label_set(b, "b")
    return len(a & b) / len(a | b)


def _label_set(labels, name) -> set:
    if isinstance(labels, str) or not all(isinstance(x, str) for x in labels):
        raise TypeError(f"{name} must be a collection of species labels (strings)")
    if not labels:
        raise ValueError(f"{name} must hold at least one label")
    return set(labels)


def compare_value(model, quantity, where, paper, ours, err, z_max: float = Z_AGREE) -> Row:
    """A ``pull`` row: a number the paper states against ours ± ``err``."""
    z = pull(ours, err, paper)
    return Row(model, quantity, where, float(paper), float(ours), float(err), "pull", z,
               bool(abs(z) <= real_scalar(z_max, "z_max", positive=True)))


def compare_order(model, quantity, where, paper, ours, err=float("nan"), order: float = ORDER) -> Row:
    """A ``ratio`` row: ours against an order of magnitude ``paper`` (> 0), agreeing within a factor
    ``order`` (> 1) either way."""
    paper = real_scalar(paper, "paper", positive=True)
    ratio = real_scalar(ours, "ours", positive=True) / paper
    order = real_scalar(order, "order", positive=True)
    if order <= 1:
        raise ValueError(f"order must be > 1, got {order}")
    return Row(model, quantity, where, paper, float(ours), float(err), "ratio", ratio,
               bool(1 / order <= ratio <= order))


def compare_sets(model, quantity, where, paper_labels, our_labels) -> Row:
    """An ``overlap`` row: two sets of species, shown as their neighbour counts ("3–10")."""
    j = set_overlap(paper_labels, our_labels)
    return Row(model, quantity, where, _describe(paper_labels), _describe(our_labels), float("nan"), "overlap", j,
               j == 1.0)


def compare_ranking(model, quantity, where, labels, paper_values, our_values) -> Row:
    """An ``order`` row: the species ``labels`` ranked by the paper's values and by ours (lowest
    first, shown as "4 < 3 < 5"); the agreement is Kendall's τ of the two rankings (1: the same
    order), and the row agrees when τ = 1. Needs ≥ 2 species; NaN values are not allowed."""
    labels = [str(x) for x in labels]
    a = np.asarray(paper_values, float)
    b = np.asarray(our_values, float)
    if a.shape != (len(labels),) or b.shape != (len(labels),):
        raise ValueError(f"paper_values and our_values must hold one value per label ({len(labels)})")
    if len(labels) < 2 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("compare_ranking needs at least 2 labels and finite values")
    from scipy.stats import kendalltau

    tau = float(kendalltau(a, b).statistic)
    if not np.isfinite(tau):                   # one of the rankings is all ties
        tau = 0.0
    pa, pb = _ranked(labels, a), _ranked(labels, b)
    return Row(model, quantity, where, pa, pb, float("nan"), "order", tau, pa == pb)


def _ranked(labels, values) -> str:
    return " < ".join(np.array(labels)[np.argsort(values, kind="stable")])


def compare_claim(model, quantity, where, paper_text: str, our_text: str, holds: bool) -> Row:
    """A ``claim`` row: a statement of the paper (``paper_text``) beside what ours shows
    (``our_text``); agreement 1 when the statement ``holds`` on our data, else 0."""
    if not isinstance(paper_text, str) or not isinstance(our_text, str):
        raise TypeError("paper_text and our_text must be strings")
    holds = bool(holds)
    return Row(model, quantity, where, paper_text, our_text, float("nan"), "claim", float(holds), holds)


def _describe(labels) -> str:
    """Neighbour counts of species labels as ranges: ["s3", "s4", "s5", "s7"] -> "3–5, 7"."""
    n = sorted(int(re.sub(r"^\D*", "", lab)) for lab in labels)
    runs, start = [], n[0]
    for prev, cur in zip(n, n[1:] + [None]):
        if cur != prev + 1:
            runs.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = cur
    return ", ".join(runs)


def table2_rows(fit: SpeciesFit, scheme: SpeciesScheme, reference, z_max: float = Z_AGREE) -> list[Row]:
    """Table II against our fit of the hump model's species ``scheme`` (the paper's i = 2…6, in any
    order): one H row and one g row per species other than our ``reference`` (label), the paper's
    values carried to that reference (:func:`.free_energy.change_reference`). Pulls in H and in ln g."""
    if not isinstance(fit, SpeciesFit):
        raise TypeError(f"fit must be a SpeciesFit, got {type(fit).__name__}")
    paper = paper_hump_table()
    labels = [str(i) for i in paper["i"]]
    if sorted(scheme.labels) != sorted(labels) or fit.H.size != scheme.n_species:
        raise ValueError(f"scheme must hold the species of Table II, {labels}, and fit one entry per species")
    order = [labels.index(lab) for lab in scheme.labels]
    H_p, g_p = change_reference(paper["H"][order], paper["g"][order], scheme, reference)
    refs = set(_references(scheme, reference).tolist())
    rows = []
    for k, lab in enumerate(scheme.labels):
        if k in refs:                                       # the reference itself: nothing to compare
            continue
        rows.append(compare_value("hump2d", f"H_{lab}", "Table II", H_p[k], fit.H[k], fit.H_err[k], z_max))
        z = pull(fit.ln_g[k], fit.ln_g_err[k], np.log(g_p[k]))
        rows.append(Row("hump2d", f"g_{lab}", "Table II", float(g_p[k]), float(fit.g[k]), float(fit.g_err[k]),
                        "pull", z, bool(abs(z) <= z_max)))
    return rows


def gaussian_rows(fits: dict, z_max: float = Z_AGREE) -> list[Row]:
    """Eq. (8) against our Gaussian fits of the binary degeneracies: ``fits`` maps "small"/"large" to
    a :class:`.free_energy.GaussianFit`; rows for n_mp and σ² of each."""
    paper = paper_binary_gaussian()
    rows = []
    for name, gf in fits.items():
        if name not in paper:
            raise ValueError(f"fits must be keyed by {sorted(paper)}, got {name!r}")
        if not isinstance(gf, GaussianFit):
            raise TypeError(f"fits[{name!r}] must be a GaussianFit, got {type(gf).__name__}")
        rows.append(compare_value("binary3d", f"n_mp ({name})", "Eq. (8)", paper[name]["n_mp"], gf.n_mp, gf.n_mp_err,
                                  z_max))
        rows.append(compare_value("binary3d", f"σ² ({name})", "Eq. (8)", paper[name]["sigma2"], gf.sigma2,
                                  gf.sigma2_err, z_max))
    return rows


def constant_rows(model: str, quantity: str, ours, err, z_max: float = Z_AGREE, order: float = ORDER) -> list[Row]:
    """Every quotation of ``quantity`` for ``model`` in :func:`paper_values` against ours ± ``err``:
    a pull row for a stated value, a ratio row for an order of magnitude. ``ValueError`` if the paper
    quotes no such number."""
    quoted = paper_values(model, quantity)
    if not quoted:
        raise ValueError(f"the paper quotes no {quantity!r} for {model!r} (see data/paper/quasispecies_constants.csv)")
    return [compare_value(model, quantity, q.where, q.value, ours, err, z_max) if q.kind == "value"
            else compare_order(model, quantity, q.where, q.value, ours, err, order) for q in quoted]


def species_rows(model: str, species, liquid) -> list[Row]:
    """The paper's species and liquid set of ``model`` (its scheme's defaults) against ours: labels of
    our ``species`` and our ``liquid`` species, per central type for the binary mixture."""
    if model == "binary3d":
        paper, where = binary3d_scheme(), ("Sec. III.A", "Sec. IV.A")
    elif model == "hump2d":
        paper, where = hump2d_scheme(), ("Sec. III.B", "Sec. IV.B")
    else:
        raise ValueError(f"model must be one of {_MODELS}, got {model!r}")
    species, liquid = sorted(_label_set(species, "species")), sorted(_label_set(liquid, "liquid"))
    rows = []
    for grp, name in enumerate(("small centre", "large centre") if model == "binary3d" else ("",)):
        prefix = "sl"[grp] if model == "binary3d" else ""
        mine = [lab for lab in species if lab.startswith(prefix)]
        mine_liq = [lab for lab in liquid if lab.startswith(prefix)]
        theirs = [lab for lab, t in zip(paper.labels, paper.central_type) if t == grp]
        theirs_liq = [lab for lab, t, q in zip(paper.labels, paper.central_type, paper.liquid) if t == grp and q]
        if not mine or not mine_liq:
            raise ValueError(f"species and liquid must each hold a {name or 'species'} label of {model}")
        suffix = f" ({name})" if name else ""
        rows.append(compare_sets(model, "species" + suffix, where[0], theirs, mine))
        rows.append(compare_sets(model, "liquid" + suffix, where[1], theirs_liq, mine_liq))
    return rows


def enthalpy_order_rows(model: str, fit: SpeciesFit, scheme: SpeciesScheme, reference) -> list[Row]:
    """The order of our fitted enthalpies against the paper's (``order`` rows, :func:`compare_ranking`).

    hump2d: Table II's H_i (carried to our ``reference``) against ours, over the species of Table II
    that we fitted. binary3d: within each central type, our H(n) against the trend the paper states
    (``enthalpy_order`` in :func:`paper_values`: −1, decreasing in n), one row per central type.
    Species whose H is not finite are left out."""
    if not isinstance(fit, SpeciesFit):
        raise TypeError(f"fit must be a SpeciesFit, got {type(fit).__name__}")
    if fit.H.size != scheme.n_species:
        raise ValueError(f"fit must hold one entry per species of the scheme ({scheme.n_species})")
    ok = np.isfinite(fit.H)
    if model == "hump2d":
        paper = paper_hump_table()
        labels = [str(i) for i in paper["i"]]
        if sorted(scheme.labels) != sorted(labels):
            raise ValueError(f"scheme must hold the species of Table II, {labels}")
        order = [labels.index(lab) for lab in scheme.labels]
        H_p, _ = change_reference(paper["H"][order], paper["g"][order], scheme, reference)
        return [compare_ranking("hump2d", "enthalpy order", "Table II", np.array(scheme.labels)[ok], H_p[ok],
                                fit.H[ok])]
    if model == "binary3d":
        trend = paper_values("binary3d", "enthalpy_order")
        if not trend:
            raise ValueError("the paper states no enthalpy_order for binary3d")
        sign, where = trend[0].value, trend[0].where
        rows = []
        for grp, name in enumerate(("small centre", "large centre")):
            sel = ok & (scheme.central_type == grp)
            if sel.sum() < 2:
                continue
            n = scheme.n_neighbours[sel].astype(float)
            rows.append(compare_ranking("binary3d", f"enthalpy order ({name})", where,
                                        np.array(scheme.labels)[sel], sign * n, fit.H[sel]))
        return rows
    raise ValueError(f"model must be one of {_MODELS}, got {model!r}")


def table(rows, digits: int = 4):
    """The rows as a :class:`pandas.DataFrame` of text, for reading: numbers to ``digits`` significant
    figures, errors to two, pulls with a sign and one decimal, ratios and overlaps to two decimals."""
    import pandas as pd

    if not rows or not all(isinstance(r, Row) for r in rows):
        raise TypeError("rows must be a non-empty list of paper_comparison.Row")

    def num(x):
        return x if isinstance(x, str) else f"{x:.{digits}g}"

    return pd.DataFrame({
        "model": [r.model for r in rows], "quantity": [r.quantity for r in rows], "where": [r.where for r in rows],
        "paper": [num(r.paper) for r in rows], "ours": [num(r.ours) for r in rows],
        "± ours": ["" if not np.isfinite(r.err) else f"{r.err:.2g}" for r in rows],
        "measure": [r.measure for r in rows],
        "agreement": [f"{r.agreement:+.1f}" if r.measure == "pull" else f"{r.agreement:+.2f}" if r.measure == "order"
                      else ("holds" if r.agrees else "fails") if r.measure == "claim" else f"{r.agreement:.2f}"
                      for r in rows],
        "agrees": ["yes" if r.agrees else "no" for r in rows],
    })
