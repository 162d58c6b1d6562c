"""The book's sources are consistent: every chapter is in the TOC, runs scaledyn, has exercises,
and carries clean committed outputs (nbval compares against them)."""

import json
import re

import pytest
import yaml

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (not imported from conftest: several exist)

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
EXPECTED = [
    "01_scale_dynamics", "02_phi4", "03_hamilton_jacobi", "04_vft",
    "05_md_models", "06_quasi_species", "07_thermodynamics",
]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def test_toc_lists_the_chapters_in_reading_order():
    chapters = [f.split("/", 1)[1] for f in toc_files() if f.startswith("chapters/")]
    assert chapters == EXPECTED
    assert [c.stem for c in CHAPTERS] == EXPECTED, "chapters/ holds exactly the chapters of the TOC"


def test_config_is_offline_and_strict():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = cfg["sphinx"]["config"]
    assert "intersphinx_mapping" not in sphinx, "intersphinx needs the network"
    assert not sphinx["mathjax_path"].startswith(("http:", "https:", "//")), "MathJax must be local"
    assert cfg["only_build_toc_files"] is True
    assert cfg["execute"]["allow_errors"] is False
    assert {"sphinx_exercise", "sphinx_proof"} <= set(cfg["sphinx"]["extra_extensions"])
    for bib in cfg["bibtex_bibfiles"]:
        assert (ROOT / bib).exists(), f"bibliography file {bib} listed in _config.yml is missing"


def _cells(path):
    nb = json.loads(path.read_text())
    return nb, nb["cells"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_scaledyn_and_has_exercises(path):
    nb, cells = _cells(path)
    assert nb["metadata"]["kernelspec"].get("language") == "python", "kernelspec needs language: python"
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"^\s*(from scaledyn|import scaledyn)", code, re.M), "a chapter runs code from scaledyn"
    assert re.search(r"\{(exercise|exercise-start)\}", text), "a chapter ends with exercises"
    assert re.search(r"\{(solution|solution-start)\}", text), "exercises come with solutions"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_outputs_are_clean(path):
    _, cells = _cells(path)
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        if "skip-execution" in cell.get("metadata", {}).get("tags", []):
            # live-only cells (the ipywidgets explorers): headless executors skip them
            assert not cell.get("outputs"), f"cell {i} of {path.name} is skip-execution but stores outputs"
            continue
        assert cell.get("execution_count") is not None or not "".join(cell["source"]).strip(), (
            f"cell {i} of {path.name} was not executed: run `python3 tasks.py execute {path.relative_to(ROOT)}`"
        )
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {i} of {path.name} stores an error"
            text = "".join(out.get("text", "")) if out["output_type"] == "stream" else ""
            assert not (out.get("name") == "stderr" and text.strip()), f"cell {i} of {path.name} stores stderr: {text[:80]!r}"
            assert "site-packages" not in text and "/work/" not in text, f"cell {i} of {path.name} leaks a path"
