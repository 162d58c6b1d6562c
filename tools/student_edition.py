"""Build a student edition of the book: the exercises stay, the solutions go everywhere.

``hide_solutions: true`` alone is not enough here: with the gated ``{solution-start}`` …
``{solution-end}`` form (solutions holding code cells), sphinx-exercise 1.2.1 drops the start marker
but keeps the end marker and the cells between, and the build stops with ``NotImplementedError: ...
solution_end_node``; the downloadable notebooks, the page sources and a Binder launch would still carry
every solution. So the edition is built from a scratch copy whose notebooks have the gated solutions
cut out (text and code cells alike), with ``hide_solutions: true`` for the remaining ``{solution}``
blocks, and without page sources, download button or Binder launch.

Run it through ``python3 tasks.py student``; the edition lands in ``_build/student/_build/html/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.M)
END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}.*?\n\1[ \t]*$\n?", re.M | re.S)
BOOK_FILES = ["_config.yml", "_toc.yml", "intro.md", "teaching.md", "notation.md", "glossary.md",
              "references.md", "bib", "chapters", "data", "tools/theme"]


def cut_gated_solutions(nb: dict) -> dict:
    """Return ``nb`` (a notebook as parsed JSON) without its gated solutions.

    Everything from a ``{solution-start}`` fence to the end of the matching ``{solution-end}`` fence
    goes, including whole code cells in between; text before and after in the same cells stays.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("nb must be a notebook dictionary with a 'cells' list")
    cells, inside = [], False
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            if not inside:
                cells.append(cell)
            continue
        out = ""
        while text:
            if not inside:
                m = START.search(text)
                out, text = (out + text, "") if not m else (out + text[:m.start()], text[m.start():])
                inside = bool(m)
            else:
                m = END.search(text)
                text = "" if not m else text[m.end():]
                inside = not m
        if out.strip():
            cells.append(dict(cell, source=out))
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    return dict(nb, cells=cells)


def build(root: Path, jupyter_book: Path, out: Path, env: dict) -> int:
    """Copy the book to a scratch folder, cut the solutions, and build it into ``out``."""
    import yaml

    src = Path(tempfile.mkdtemp(prefix="scaledyn-student-"))
    try:
        for name in BOOK_FILES:
            target = src / name
            target.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if (root / name).is_dir() else shutil.copy)(root / name, target)
        (src / "_vendor").symlink_to(root / "_vendor")  # the local MathJax
        for path in sorted((src / "chapters").glob("*.ipynb")):
            nb = cut_gated_solutions(json.loads(path.read_text()))
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
        cfg = yaml.safe_load((src / "_config.yml").read_text())
        cfg["sphinx"]["config"].update(hide_solutions=True, html_copy_source=False)
        cfg["html"]["use_download_button"] = False
        cfg["launch_buttons"]["binderhub_url"] = ""
        (src / "_config.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        return subprocess.call([str(jupyter_book), "build", str(src), "--path-output", str(out),
                                "-W", "-n", "--keep-going"], env=env)
    finally:
        shutil.rmtree(src)


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.exit(build(root, root / ".venv" / "bin" / "jupyter-book", root / "_build" / "student", dict(os.environ)))
