"""Keep Numba's on-disk kernel cache consistent with the package sources.

Numba invalidates a cached kernel (``cache=True``) only when the file that defines it changes, not
when a kernel it calls from another module does: after an update, a cached caller would run the old
callee's machine code. During development that gave a segfault: a trial change to ``potentials.py``
stored the flat pair list differently, and the cached step loop of the unchanged ``integrators.py``
still held the old force loop. So, when ``scaledyn`` is imported, a digest of every ``.py`` file of the
package is compared with the one stored beside the cache; when they differ, every cached kernel of
the package is deleted (recompiled on first use, once) and the new digest is stored. A lock file
serialises processes that import at the same time (campaign workers).

Only Numba's default location (``__pycache__`` beside the sources) is managed: with
``NUMBA_CACHE_DIR`` set, or a read-only package directory, the cache is the user's to clear.
"""

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STAMP = "numba-sources.sha256"


def sources_digest(root: Path = PACKAGE) -> str:
    """SHA-256 over the relative paths and contents of every ``.py`` file below ``root``."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def refresh(root: Path = PACKAGE) -> bool:
    """Delete the package's cached Numba kernels if its sources changed since they were cached;
    return True when it did. Never raises for file-system reasons (a cache is only a cache).

    Without Numba (a browser's Pyodide kernel runs the theory chapters; only :mod:`scaledyn.md` needs
    it) there is no cache to manage and nothing is done."""
    try:
        import numba
    except ImportError:
        return False

    if numba.config.CACHE_DIR:
        return False
    pyc = root / "__pycache__"
    try:
        import fcntl

        digest = sources_digest(root)
        pyc.mkdir(exist_ok=True)
        with open(pyc / "numba-sources.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stamp = pyc / STAMP
            if stamp.is_file() and stamp.read_text() == digest:
                return False
            for pattern in ("*.nbi", "*.nbc"):
                for f in root.rglob(f"__pycache__/{pattern}"):
                    f.unlink(missing_ok=True)
            tmp = pyc / f"{STAMP}.{os.getpid()}.tmp"
            tmp.write_text(digest)
            os.replace(tmp, stamp)
            return True
    except (OSError, ImportError):
        return False
