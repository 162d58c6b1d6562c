"""The student edition's solution cutter removes gated solutions (text and code) and nothing else."""

import json
import sys

import pytest

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (not imported from conftest: several exist)

sys.path.insert(0, str(ROOT / "tools"))
from student_edition import cut_gated_solutions  # noqa: E402


def md(src):
    return {"cell_type": "markdown", "metadata": {}, "source": src}


def code(src):
    return {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": 1}


def test_gated_solution_is_cut_with_its_code_cells():
    nb = {"cells": [
        code("x = 1"),
        md("```{exercise} E\n:label: ex-a\nDo it.\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```\nSecret text."),
        code("secret_code()"),
        md("```{solution-end}\n```\n\nAfter the solution."),
        md("```{solution} ex-b\nInline solution, hidden by hide_solutions.\n```"),
    ]}
    out = cut_gated_solutions(nb)
    text = json.dumps(out)
    assert "Secret" not in text and "secret_code" not in text and "solution-end" not in text
    assert "Do it." in text and "After the solution." in text and "x = 1" in text
    assert "Inline solution" in text  # plain {solution} blocks are left to hide_solutions
    assert len(out["cells"]) == 4


def test_unterminated_solution_is_an_error():
    with pytest.raises(ValueError, match="solution-end"):
        cut_gated_solutions({"cells": [md("```{solution-start} ex-a\n```\nText")]})


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_loses_its_gated_solutions_and_keeps_its_exercises(path):
    nb = json.loads(path.read_text())
    out = json.dumps(cut_gated_solutions(nb))
    assert "{solution-start}" not in out and "{solution-end}" not in out
    assert out.count("{exercise") == json.dumps(nb).count("{exercise")
