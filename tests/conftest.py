"""Shared pytest configuration: the repository root and the built HTML book."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built book. `python3 tasks.py test` builds it before running pytest."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `python3 tasks.py test` (it builds the book before the tests)")
    return HTML
