"""The package's Numba cache is dropped when any source file changes (Numba itself only notices a
change in the kernel's own file, not in the kernels it calls)."""

import subprocess
import sys

import numba
import pytest

from scaledyn import _numba_cache as nc


def make_package(root):
    (root / "sub" / "__pycache__").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "a.py").write_text("x = 1\n")
    (root / "sub" / "b.py").write_text("y = 2\n")
    for f in ("__pycache__/a.f-1.py311.nbi", "__pycache__/a.f-1.py311.1.nbc", "sub/__pycache__/b.g-3.py311.nbi"):
        (root / f).write_bytes(b"compiled")
    (root / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"bytecode")


def cached(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.nb[ic]"))


def test_cache_dropped_on_any_source_change_and_kept_otherwise(tmp_path):
    make_package(tmp_path)
    assert nc.refresh(tmp_path) is True  # no stamp yet: unknown provenance, dropped
    assert cached(tmp_path) == [] and (tmp_path / "__pycache__" / "a.cpython-311.pyc").exists()
    assert (tmp_path / "__pycache__" / nc.STAMP).read_text() == nc.sources_digest(tmp_path)
    (tmp_path / "sub" / "__pycache__" / "b.g-3.py311.nbi").write_bytes(b"compiled")
    assert nc.refresh(tmp_path) is False and len(cached(tmp_path)) == 1  # same sources: kept
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")  # a callee in another module changes
    assert nc.refresh(tmp_path) is True and cached(tmp_path) == []
    (tmp_path / "sub" / "c.py").write_text("")  # a new module counts too
    assert nc.sources_digest(tmp_path) != (tmp_path / "__pycache__" / nc.STAMP).read_text()


def test_user_cache_dir_is_left_alone(tmp_path, monkeypatch):
    make_package(tmp_path)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path / "elsewhere"))
    assert nc.refresh(tmp_path) is False and len(cached(tmp_path)) == 3


def test_unwritable_cache_is_not_an_error(tmp_path):
    make_package(tmp_path)
    (tmp_path / "__pycache__").chmod(0o500)
    try:
        assert nc.refresh(tmp_path) in (True, False)  # root may still write; nobody raises
    finally:
        (tmp_path / "__pycache__").chmod(0o700)


CALLEE = """from numba import njit


@njit(cache=True)
def value():
    return {}
"""
CALLER = """from numba import njit

from .callee import value


@njit(cache=True)
def twice():
    return 2 * value()
"""


def run(tmp_path, refresh: bool) -> int:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from scaledyn import _numba_cache as nc; import pkg; "
            + ("nc.refresh(Path(pkg.__file__).parent); " if refresh else "")
            + "from pkg.caller import twice; print(twice())")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.parametrize("refresh", [False, True])
def test_numba_keeps_a_stale_caller_unless_refreshed(tmp_path, refresh):
    """The failure this module exists for, reproduced: a cached kernel calling a kernel of another
    module keeps the callee's old code after the callee's file changes."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "caller.py").write_text(CALLER)
    (pkg / "callee.py").write_text(CALLEE.format(1))
    assert run(tmp_path, refresh) == 2
    (pkg / "callee.py").write_text(CALLEE.format(5))
    assert run(tmp_path, refresh) == (10 if refresh else 2)  # 2: Numba's stale cache
