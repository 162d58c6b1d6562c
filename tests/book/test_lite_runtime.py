"""The in-browser runtime is assembled only from verified files (tools/jupyterlite/build_lite.py)."""

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "jupyterlite"))
import build_lite  # noqa: E402

LITE_DIR = ROOT / ".cache" / "jupyterlite"  # made by `tasks.py setup`
OFFICIAL_LOCK = ROOT / "tools" / "jupyterlite" / "node_modules" / "pyodide" / "pyodide-lock.json"


def _lock(**files) -> dict:
    pk = {name: {"name": name, "version": "1", "file_name": f"{name}-1-py3-none-any.whl", "depends": deps,
                 "sha256": hashlib.sha256(data).hexdigest(), "imports": [name], "install_dir": "site",
                 "package_type": "package"} for name, (data, deps) in files.items()}
    return {"info": {"version": "0.27.7"}, "packages": pk}


def _bundle(path: Path, files: dict) -> zipfile.ZipFile:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(build_lite.BUNDLE_PREFIX + name, data)
    return zipfile.ZipFile(path)


def _pypi(tmp_path) -> dict:
    out = {}
    for name in build_lite.FROM_PYPI:
        p = tmp_path / f"{name}-1.0-py3-none-any.whl"
        p.write_bytes(name.encode())
        out[name] = p
    return out


def test_closure_follows_dependencies_with_normalised_names():
    lock = _lock(a=(b"a", ["B_c"]), **{"b-c": (b"b", ["d"])}, d=(b"d", []), e=(b"e", []))
    assert build_lite.closure(lock["packages"], ["a"]) == ["a", "b-c", "d"]
    with pytest.raises(build_lite.LiteError, match="'zz'"):
        build_lite.closure(lock["packages"], ["zz"])


def test_a_wheel_whose_hash_differs_from_the_lock_is_refused(tmp_path):
    lock = _lock(numpy=(b"real numpy", []))
    good = _bundle(tmp_path / "good.zip", {"numpy-1-py3-none-any.whl": b"real numpy"})
    files, reduced = build_lite.pick_wheels(lock, good, _pypi(tmp_path), roots=["numpy"])
    assert files["numpy-1-py3-none-any.whl"] == b"real numpy"
    assert set(reduced["packages"]) == {"numpy", *build_lite.FROM_PYPI}
    bad = _bundle(tmp_path / "bad.zip", {"numpy-1-py3-none-any.whl": b"tampered numpy"})
    with pytest.raises(build_lite.LiteError, match="differs from Pyodide's lock file"):
        build_lite.pick_wheels(lock, bad, _pypi(tmp_path), roots=["numpy"])
    empty = _bundle(tmp_path / "empty.zip", {})
    with pytest.raises(build_lite.LiteError, match="not in the Pyodide bundle"):
        build_lite.pick_wheels(lock, empty, _pypi(tmp_path), roots=["numpy"])


def test_a_core_file_whose_hash_differs_is_refused(tmp_path):
    (tmp_path / "pyodide.js").write_bytes(b"runtime")
    sums = tmp_path / "sums"
    sums.write_text(f"{hashlib.sha256(b'runtime').hexdigest()}  pyodide.js\n")
    assert build_lite.verify_core(tmp_path, sums) == {"pyodide.js": b"runtime"}
    (tmp_path / "pyodide.js").write_bytes(b"runtime, patched")
    with pytest.raises(build_lite.LiteError, match="pyodide.js"):
        build_lite.verify_core(tmp_path, sums)


@pytest.mark.parametrize("where", ["setup", "site"])
def test_every_served_file_matches_the_lock(where, html_dir):
    """The runtime made by the setup, and the copy the built site serves: every package file is there
    with its lock hash, and each package from the Pyodide distribution has the official hash."""
    folder = (LITE_DIR if where == "setup" else html_dir / "lite") / "static" / "pyodide"
    # The setup's verified lock; the site's adds the book's own wheels (staged by every build).
    lock_file = build_lite.BASE_LOCK if where == "setup" else "pyodide-lock.json"
    lock = json.loads((folder / lock_file).read_text())["packages"]
    official = json.loads(OFFICIAL_LOCK.read_text())["packages"]
    bad = []
    for name, entry in lock.items():
        path = folder / entry["file_name"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            bad.append(f"{entry['file_name']}: missing or not the locked bytes")
        if name in official and name not in build_lite.FROM_PYPI and entry["sha256"] != official[name]["sha256"]:
            bad.append(f"{name}: lock hash differs from Pyodide's official lock")
    assert not bad, "\n".join(bad)
    expected = {"numpy", "scipy", "matplotlib", "pandas", "sympy"} | ({"scaledyn", "myst-nb"} if where == "site" else set())
    assert expected <= set(lock), sorted(expected - set(lock))
