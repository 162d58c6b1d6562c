"""Numba's on-disk cache of the engine's kernels, in a folder named after the engine's source.

Numba drops a cached kernel only when the kernel's own file changes, but the kernels here compile
code from other files into themselves: a potential's pair function (``potentials.py``) into the force
loop (``forces.py``), the force loop and the list build into the step loop (``integrators.py``). An
edit to a pair function would leave the force loop's cached machine code stale. So the cache lives
under ``__pycache__/numba-<hash of every md source file>``: any edit of the engine starts a fresh
cache. An explicit ``NUMBA_CACHE_DIR`` in the environment wins.
"""

import hashlib
import os
from pathlib import Path

import numba

HERE = Path(__file__).resolve().parent


def source_digest(folder: Path = HERE) -> str:
    """SHA-256 (first 12 hex digits) of the Python sources in ``folder``, in name order."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def select_cache_dir() -> str | None:
    """Point Numba's cache at ``__pycache__/numba-<digest>`` (before any kernel is defined); return it."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    folder = HERE / "__pycache__" / f"numba-{source_digest()}"
    numba.config.CACHE_DIR = str(folder)
    return str(folder)


select_cache_dir()
