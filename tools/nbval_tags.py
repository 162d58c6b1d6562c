#!/usr/bin/env python3
"""Move nbval's comment markers (``# NBVAL_CHECK_OUTPUT`` …) out of the code into the cell tags nbval
reads (``nbval-check-output`` …), so that readers of the book see only the physics.

    python tools/nbval_tags.py chapters/*.ipynb           convert in place (idempotent)
    python tools/nbval_tags.py --check chapters/*.ipynb   list the markers left; exit 1 if there are any

nbval honours both spellings (a comment on its own line, or the cell tag); the tag is invisible in the
rendered book. A marker line is removed from the source and its tag added once; a notebook without
markers is not rewritten. Only ``nbformat`` is needed (installed with the book).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

#: The comment markers nbval knows and the tag each becomes (nbval/plugin.py reads both).
MARKERS = {
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception",
    "PYTEST_VALIDATE_IGNORE_OUTPUT": "nbval-ignore-output",  # nbval's legacy spelling
}
_MARKER_LINE = re.compile(r"^\s*#\s*(NBVAL_[A-Z_]+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$")


def markers_in(source: str) -> list[str]:
    """The marker names found on their own lines of a cell's source."""
    return [m.group(1) for m in map(_MARKER_LINE.match, source.splitlines()) if m]


def convert_cell(cell) -> bool:
    """Move the markers of one code cell into its tags; return True when the cell changed.

    Raises ValueError naming the marker when it is not one nbval knows (a typo would silently
    disable the check it was meant to switch on).
    """
    if cell.get("cell_type") != "code":
        return False
    found = markers_in(cell.source)
    if not found:
        return False
    unknown = [m for m in found if m not in MARKERS]
    if unknown:
        raise ValueError(f"unknown nbval marker(s) {unknown} in cell source {cell.source[:80]!r}")
    cell.source = "\n".join(line for line in cell.source.splitlines() if not _MARKER_LINE.match(line))
    tags = list(cell.metadata.get("tags", []))
    tags += [MARKERS[m] for m in found if MARKERS[m] not in tags]
    cell.metadata["tags"] = list(dict.fromkeys(tags))
    return True


def convert(path: str | Path, write: bool = True) -> int:
    """Convert one notebook; return the number of cells changed (written back only if > 0)."""
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {path}")
    nb = nbformat.read(path, as_version=4)
    changed = sum(convert_cell(cell) for cell in nb.cells)
    if changed and write:
        nbformat.write(nb, path)
    return changed


def leftover_markers(path: str | Path) -> list[str]:
    """``"<file>: cell <i>: <marker>"`` for every comment marker still in a notebook's code cells."""
    nb = nbformat.read(path, as_version=4)
    return [f"{Path(path).name}: cell {i}: {m}" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" for m in markers_in(cell.source)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only list the markers left; exit 1 if any")
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args(argv)
    if args.check:
        left = [line for nb in args.notebooks for line in leftover_markers(nb)]
        print("\n".join(left) or "no nbval comment markers left")
        return int(bool(left))
    for nb in args.notebooks:
        print(f"{nb}: {convert(nb)} cell(s) converted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
