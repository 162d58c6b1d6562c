"""`scaledyn` and its theory modules import and compute without Numba (the browser's Pyodide kernel
has none); only the MD engine needs it."""

import subprocess
import sys

# Runs in a fresh interpreter in which `import numba` fails, as in Pyodide.
PROBE = r"""
import sys
class _NoNumba:
    def find_spec(self, name, path=None, target=None):
        if name == "numba" or name.startswith("numba."):
            raise ImportError("numba is blocked for this test")
sys.meta_path.insert(0, _NoNumba())
import scaledyn
from scaledyn import flows, phi4, hamilton_jacobi, vft, materials, plotting
assert "numba" not in sys.modules
print(len(materials.load_materials()) > 0)
try:
    import scaledyn.md
except ImportError:
    print("md needs numba")
"""


def test_theory_modules_import_without_numba():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "md", "needs", "numba"], out.stdout
