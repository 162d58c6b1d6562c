"""The whole-book PDF (tools/pdf/print_book.py, `python3 tasks.py pdf`): built by the one command,
with every chapter, typeset equations, figures, and pages that are not blank."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "pdf"

pytestmark = [pytest.mark.book, pytest.mark.slow]


def chapter_title(nb: Path) -> str:
    """The chapter's first heading, cut before any math (the PDF's text layer has no TeX)."""
    for cell in json.loads(nb.read_text())["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and (m := re.search(r"^# (.+)$", src, re.M)):
            return re.split(r"[$`]", m.group(1))[0].strip()
    raise AssertionError(f"{nb.name} has no title")


def ink(page_png: np.ndarray) -> float:
    """Fraction of pixels that are not (nearly) white."""
    return float((page_png.mean(axis=2) < 200).mean())


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    import pypdfium2

    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "pdf" / "print_book.py"), str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # print_book refuses a page with an untypeset formula or a broken image; it reports the counts.
    report = re.search(r"\[pdf\] .*: (\d+) pages, (\d+) equations, (\d+) images", run.stdout)
    assert report, run.stdout[-2000:]
    doc = pypdfium2.PdfDocument(str(out))
    doc.equations = int(report.group(2))
    return doc


def test_pdf_has_the_whole_book(pdf):
    n = len(pdf)
    assert 100 <= n <= 400, f"{n} pages"
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(n))
    flat = re.sub(r"\s+", " ", text)
    missing = [chapter_title(nb) for nb in CHAPTERS if chapter_title(nb) not in flat]
    assert not missing, f"chapters missing from the PDF: {missing}"
    assert "References" in flat or "Bibliography" in flat
    # Equations were typeset by MathJax (the code cells do hold TeX, in Matplotlib labels, so the
    # text layer is checked only for display-math source, which no code cell writes).
    assert pdf.equations > 500, f"only {pdf.equations} typeset equations"
    raw = [t for t in ("$$", r"\begin{") if t in text]
    assert not raw, f"raw TeX in the PDF: {raw}"


def test_pdf_pages_render_with_figures(pdf):
    import pypdfium2.raw as pdfium_c

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    inks = {}
    for i in (0, len(pdf) // 2, len(pdf) - 1):
        image = pdf[i].render(scale=1).to_pil()
        image.save(ARTIFACTS / f"page-{i + 1:03d}.png")
        inks[i + 1] = ink(np.asarray(image.convert("RGB")))
    assert all(v > 0.01 for v in inks.values()), f"blank-looking pages (ink fraction): {inks}"
    figures = sum(len(list(pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for i in range(len(pdf)))
    assert figures >= 20, f"only {figures} images in the PDF"


def test_ink_detects_a_blank_page():
    assert ink(np.full((100, 100, 3), 255, np.uint8)) == 0.0
    page = np.full((100, 100, 3), 255, np.uint8)
    page[40:60, 10:90] = 0
    assert ink(page) == pytest.approx(0.16)
