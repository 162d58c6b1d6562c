"""Fixtures of the browser tests (the machinery is in browser_kit.py)."""

from pathlib import Path

import pytest

from browser_kit import VisitCache, book_html_dir, new_driver, quit_driver, serve  # noqa: F401


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built book (overrides tests/conftest.py's fixture to honour SCALEDYN_BOOK_HTML)."""
    html = book_html_dir()
    if not (html / "index.html").exists():
        pytest.fail(f"no built book at {html}: run `python3 tasks.py test` (it builds the book before the tests)"
                    " or set SCALEDYN_BOOK_HTML to a build's _build/html")
    return html


@pytest.fixture(scope="session")
def book_server(html_dir):
    srv = serve(html_dir)
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def desktop():
    driver = new_driver(phone=False)
    yield driver
    quit_driver(driver)


@pytest.fixture(scope="session")
def phone():
    driver = new_driver(phone=True)
    yield driver
    quit_driver(driver)


@pytest.fixture(scope="session")
def desktop_visit(desktop, book_server):
    """Loads a page once in the desktop browser (screenshot to artifacts/browser/desktop/)."""
    return VisitCache(desktop, book_server, "desktop")


@pytest.fixture(scope="session")
def phone_visit(phone, book_server):
    """Loads a page once at phone width (screenshot to artifacts/browser/phone/)."""
    return VisitCache(phone, book_server, "phone")
