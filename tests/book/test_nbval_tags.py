"""nbval markers live in cell tags, not in comments a reader sees (tools/nbval_tags.py converts)."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import nbval_tags  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    wrong = nbformat.v4.new_output("execute_result", data={"text/plain": "5"}, execution_count=1)
    nb.cells = [
        nbformat.v4.new_markdown_cell("# NBVAL_SKIP in prose is left alone"),
        # The stored output is wrong on purpose: nbval fails this cell only if it checks it.
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\n2 + 2", outputs=[wrong], execution_count=1),
        nbformat.v4.new_code_cell("x = 1\n  #  NBVAL_IGNORE_OUTPUT  \nx", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("1 / 0\n# NBVAL_SKIP"),
    ]
    nbformat.write(nb, path)
    return path


def test_converter_moves_markers_to_tags_and_is_idempotent(tmp_path):
    path = _notebook(tmp_path / "nb.ipynb")
    assert len(nbval_tags.leftover_markers(path)) == 3
    assert nbval_tags.convert(path) == 3
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].source == "# NBVAL_SKIP in prose is left alone"
    assert (cells[1].source, cells[1].metadata.tags) == ("2 + 2", ["nbval-check-output"])
    assert (cells[2].source, cells[2].metadata.tags) == ("x = 1\nx", ["remove-cell", "nbval-ignore-output"])
    assert (cells[3].source, cells[3].metadata.tags) == ("1 / 0", ["nbval-skip"])
    assert nbval_tags.leftover_markers(path) == []
    before = path.read_bytes()
    assert nbval_tags.convert(path) == 0 and path.read_bytes() == before  # idempotent: not even rewritten
    assert nbval_tags.main(["--check", str(path)]) == 0


def test_converter_rejects_an_unknown_marker(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# NBVAL_CHEK_OUTPUT\n1")])
    nbformat.write(nb, tmp_path / "typo.ipynb")
    with pytest.raises(ValueError, match="NBVAL_CHEK_OUTPUT"):
        nbval_tags.convert(tmp_path / "typo.ipynb")
    with pytest.raises(ValueError, match="path"):
        nbval_tags.convert(tmp_path / "missing.ipynb")


def test_nbval_reads_the_converted_tags(tmp_path):
    """After conversion nbval still checks the marked cell (its wrong stored output fails) and skips
    the skipped one (1/0 would raise)."""
    path = _notebook(tmp_path / "nb.ipynb")
    nbval_tags.convert(path)
    out = subprocess.run([sys.executable, "-m", "pytest", str(path), "--nbval-lax", "--nbval-current-env",
                          "-p", "no:cacheprovider", "-q", "-rA"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1, out.stdout
    assert "1 failed" in out.stdout and "Cell 1" in out.stdout and "ZeroDivisionError" not in out.stdout, out.stdout


def test_no_chapter_shows_an_nbval_comment_marker():
    left = [line for ch in CHAPTERS for line in nbval_tags.leftover_markers(ch)]
    assert left == [], "run: python tools/nbval_tags.py chapters/*.ipynb\n" + "\n".join(left)
