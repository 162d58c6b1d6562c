"""Citation and reuse: CITATION.cff agrees with the package and the book, and every part of the
repository has a stated license."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

#: The keys the Citation File Format 1.2.0 requires, and those a reader of this book needs.
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}


def test_citation_cff_matches_the_package_and_the_book():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert CFF_REQUIRED | {"version", "license"} <= set(cff), sorted(cff)
    assert cff["cff-version"] == "1.2.0"
    assert all(("name" in a) or ("family-names" in a) for a in cff["authors"]), cff["authors"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"]["text"]
    assert cff["title"] == yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_every_part_has_a_license_statement():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    table = (ROOT / "LICENSES.md").read_text(encoding="utf-8")
    # Each data source (every file or folder directly under data/) and the text have a row.
    sources = sorted(p.name for p in (ROOT / "data").iterdir() if p.name != "README.md")
    missing = [s for s in sources if f"data/{s}" not in table]
    assert not missing, f"LICENSES.md names no license for data/{missing}"
    for part in ("**code**", "**text and figures**", "CC BY 4.0", "MathJax", "Pyodide"):
        assert part in table, part
