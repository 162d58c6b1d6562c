"""The glossary and the notation table must not contradict what the chapters compute.

Chapter 3 derives, with sympy, that the stationary action of beta = lambda g, F = A/g mapped by
g = alpha (T - T0) gives the VFT exponent D T0/(T - T0) with D T0 = A/(lambda alpha). Every statement
"D T_0 = ..." in glossary.md and notation.md is parsed and compared with that derivation; the
source's boxed D T0 = A/lambda may appear only where the same line calls it the source's error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from scaledyn import hamilton_jacobi as hj

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("glossary.md", "notation.md")
#: Words that mark a formula as the source's error being quoted, not asserted.
FLAGS = ("inconsistent", "wrong", "boxed")

lam, A, alpha, T, T0, g = sp.symbols("lambda A alpha T T_0 g", positive=True)
#: LaTeX macros of the formulas that occur, mapped to sympy names.
_MACROS = {r"\lambda": " lam ", r"\alpha": " alpha ", r"\,": " ", r"\!": " "}


def derived_dt0() -> sp.Expr:
    """D T0 from the chapter-3 derivation: S(g) for beta = lambda g, F = A/g, at g = alpha (T - T0)."""
    S = hj.stationary_action_sympy(lam * g, A / g, g)
    return sp.simplify(S.subs(g, alpha * (T - T0)) * (T - T0))


def latex_rhs_to_sympy(rhs: str) -> sp.Expr:
    text = rhs
    for macro, name in _MACROS.items():
        text = text.replace(macro, name)
    text = re.sub(r"\s+", " ", text).strip()
    # implicit products of single symbols, e.g. "lam alpha" -> "lam*alpha"
    text = re.sub(r"(?<=[\w)])\s+(?=[\w(])", "*", text)
    return sp.sympify(text, locals={"lam": lam, "alpha": alpha, "A": A, "T_0": T0}, rational=True)


def dt0_claims(text: str):
    """(line, rhs) for every inline formula 'D T_0 = rhs' (rhs up to the closing $ or a comma)."""
    for line in text.splitlines():
        for match in re.finditer(r"\$\s*D\s*T_0\s*=\s*([^$,;]+?)\s*\$", line):
            yield line, match.group(1)


def contradictions(text: str) -> list[str]:
    want = derived_dt0()
    bad = []
    for line, rhs in dt0_claims(text):
        if any(f in line.lower() for f in FLAGS):
            continue
        if sp.simplify(latex_rhs_to_sympy(rhs) - want) != 0:
            bad.append(f"D T_0 = {rhs}  (chapter 3 derives {want})")
    return bad


def test_derivation_is_the_chapter_result():
    assert sp.simplify(derived_dt0() - A / (lam * alpha)) == 0


@pytest.mark.parametrize("page", PAGES)
def test_no_statement_contradicts_chapter_3(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert contradictions(text) == []


def test_pages_state_the_relation_at_all():
    """Guards against the parser silently finding nothing (the test above would then pass vacuously)."""
    found = [rhs for page in PAGES for _, rhs in dt0_claims((ROOT / page).read_text(encoding="utf-8"))]
    assert len(found) >= 2


def test_the_seed_error_is_caught():
    """The glossary's former wording (the seed's boxed relation, unflagged) must be reported."""
    old = "together with $\\beta = \\lambda g$ yields the VFT law with\n  $D T_0 = A/\\lambda$."
    assert contradictions(old) and "A/\\lambda" in contradictions(old)[0]
    flagged = "the source's boxed $D T_0 = A/\\lambda$ is dimensionally inconsistent"
    assert contradictions(flagged) == []
