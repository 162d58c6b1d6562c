"""The Binder path without Binder: the environment file alone runs every chapter.

mybinder.org (repo2docker) builds its image from ``runtime.txt`` (the Python version) and
``requirements.txt`` (``-c constraints.txt`` + ``-e .[book]``). Here a fresh virtual environment is made
from exactly those files, with nothing from the development ``.venv``, and every chapter notebook is
executed headlessly in it with nbclient. A package a chapter imports but the environment file does not
install makes this test fail (test_binder_env_misses_what_it_does_not_list shows the runner can fail).

The environment is kept in ``.cache/binder-venv`` and rebuilt only when one of the files it is made
from changes (hash stamp). First run: a couple of minutes (pip, from the local pip cache/index when
there is one); later runs only execute the chapters.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from browser_kit import ROOT

pytestmark = pytest.mark.slow

VENV = ROOT / ".cache" / "binder-venv"
STAMP = VENV / ".binder-stamp"
# What the Binder image is made from; -e .[book] reads pyproject.toml.
SOURCES = ["runtime.txt", "requirements.txt", "constraints.txt", "pyproject.toml"]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

# Executed by the Binder environment's Python: runs a notebook with nbclient in that environment's
# kernel. A first cell checks that the kernel really is that environment's interpreter.
RUNNER = r"""
import json, os, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, venv = Path(sys.argv[1]), sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.insert(0, nbformat.v4.new_code_cell(
    "import os, sys\nassert os.path.realpath(sys.prefix) == %r, sys.prefix" % os.path.realpath(venv)))
t = time.perf_counter()
try:
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
except CellExecutionError as err:
    print(json.dumps({"ok": False, "error": str(err)[-4000:]}))
    sys.exit(0)
print(json.dumps({"ok": True, "seconds": time.perf_counter() - t}))
"""


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a Binder user: no development venv on PATH, no loader or Python path tweaks."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH", "MPLBACKEND", "JUPYTER_PATH"}}
    dev_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join([str(VENV / "bin")] + [p for p in env.get("PATH", "").split(os.pathsep) if p != dev_bin])
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")  # no user-level kernelspecs
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _base_python(version: str) -> str:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here == version:
        return sys.executable  # venv of a venv is based on the same base interpreter
    found = shutil.which(f"python{version}")
    if not found:
        pytest.fail(f"runtime.txt asks for Python {version}, which is not installed here")
    return found


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory) -> Path:
    runtime = (ROOT / "runtime.txt").read_text().strip()
    m = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert m, f"runtime.txt must read python-3.X (repo2docker's format), not {runtime!r}"
    reqs = (ROOT / "requirements.txt").read_text().split()
    assert "-c" in reqs and "constraints.txt" in reqs, "requirements.txt pins the stack with -c constraints.txt"
    h = hashlib.sha256(m.group(1).encode())
    for name in SOURCES:
        h.update((ROOT / name).read_bytes())
    stamp = h.hexdigest()
    python = VENV / "bin" / "python"
    if not (python.exists() and STAMP.exists() and STAMP.read_text() == stamp):
        shutil.rmtree(VENV, ignore_errors=True)
        VENV.parent.mkdir(exist_ok=True)
        env = _clean_env(tmp_path_factory.mktemp("binder-home"))
        subprocess.run([_base_python(m.group(1)), "-m", "venv", str(VENV)], check=True, env=env)
        out = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "-r", "requirements.txt"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, f"pip install -r requirements.txt failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}"
        STAMP.write_text(stamp)
    return python


def run_notebook(python: Path, notebook: Path, home: Path) -> dict:
    out = subprocess.run([str(python), "-c", RUNNER, str(notebook), str(VENV)], cwd=notebook.parent,
                         env=_clean_env(home), capture_output=True, text=True, timeout=900)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"ok": False, "error": f"runner exit {out.returncode}:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"}
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def chapter_runs(binder_python, tmp_path_factory) -> dict[str, dict]:
    """Execute every chapter in the Binder environment, two at a time (Binder has 2 cores too)."""
    home = tmp_path_factory.mktemp("binder-run")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda nb: run_notebook(binder_python, nb, home), CHAPTERS)
        return {nb.stem: r for nb, r in zip(CHAPTERS, results)}


def test_binder_files_are_repo2docker_ready():
    assert (ROOT / "runtime.txt").read_text().strip() == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        "runtime.txt and the Python the book is built with agree")
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines == ["-c constraints.txt", "-e .[book]"], lines
    # chapter 4's viscosity table is not in git: Binder's postBuild fetches it with the image's Python
    post = ROOT / "postBuild"
    assert post.exists() and os.access(post, os.X_OK), "postBuild must exist and be executable"
    assert "python3 tasks.py viscosity-data" in post.read_text()
    # and compiles the MD chapters' Numba kernels into the image (cold start of chapter 5)
    assert "python3 tasks.py numba-cache" in post.read_text()


def test_binder_env_misses_what_it_does_not_list(binder_python, tmp_path):
    # The runner must be able to fail: pytest (a test-only dependency) is not in the Binder file.
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import pytest")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "needs_pytest.ipynb"
    nbformat.write(nb, path)
    result = run_notebook(binder_python, path, tmp_path)
    assert not result["ok"] and "ModuleNotFoundError" in result["error"], result


@pytest.mark.parametrize("chapter", [c.stem for c in CHAPTERS])
def test_chapter_runs_in_the_binder_environment(chapter, chapter_runs):
    result = chapter_runs[chapter]
    assert result["ok"], f"{chapter} failed in the Binder environment:\n{result['error']}"
