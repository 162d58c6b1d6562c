"""The whole book as one PDF, offline: Sphinx's one-page HTML build, printed by headless Chromium.

    .venv/bin/python tools/pdf/print_book.py [OUT.pdf]     (``python3 tasks.py pdf`` runs this)

1. ``jupyter-book build . --builder singlehtml -W -n --keep-going`` writes every page into one HTML
   page (``_build/singlehtml/intro.html``), reusing the HTML build's execution cache; -W keeps stderr
   (a Numba warning, say) from reaching the PDF, as it keeps it from the HTML.
2. Debian's Chromium (the one the browser tests drive) opens that page from a local HTTP server with
   every other host unresolvable, waits until the local MathJax has typeset every equation and every
   figure has loaded, opens the exercise solutions, and prints A4 pages with page numbers through the
   DevTools protocol (``Page.printToPDF``).

No LaTeX is involved, so nothing in a cell's output can break a TeX run.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SINGLE = ROOT / "_build" / "singlehtml"
DEFAULT_OUT = ROOT / "_build" / "pdf" / "scale-dynamics.pdf"
CHROMIUM = os.environ.get("SCALEDYN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SCALEDYN_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

# Runs in the page: MathJax done, images loaded, solutions and toggled cells opened; reports problems.
READY_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const imgs = [...document.images];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r, {once: true}); i.addEventListener('error', r, {once: true}); setTimeout(r, 20000); })));
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; await MathJax.typesetPromise(); }
  return {images: imgs.length, badImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length,
          math: document.querySelectorAll('mjx-container').length,
          untypeset: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length};
})().then(done, e => done({error: String(e)}));
"""


class PdfError(RuntimeError):
    pass


def build_single_html(jupyter_book: Path, env: dict | None = None) -> Path:
    rc = subprocess.call([str(jupyter_book), "build", str(ROOT), "--builder", "singlehtml", "-W", "-n", "--keep-going"],
                         cwd=ROOT, env=env)
    page = SINGLE / "intro.html"
    if rc != 0 or not page.is_file():
        raise PdfError(f"the one-page HTML build failed (exit {rc})")
    return page


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdf(html_dir: Path, page: str, out: Path) -> dict:
    """Print ``html_dir/page`` to ``out`` with headless Chromium; return the page's readiness report."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="scaledyn-pdf-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}", "--window-size=1200,1600"]:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        driver.set_script_timeout(300)
        driver.get(f"http://127.0.0.1:{httpd.server_port}/{page}")
        report = driver.execute_async_script(READY_JS)
        if "error" in report or report["badImages"] or report["untypeset"]:
            raise PdfError(f"the page is not ready to print: {report}")
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {
            "printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69,  # A4, inches
            "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>",
            "footerTemplate": '<div style="font-size:8px;width:100%;text-align:center;">'
                              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
        })
    finally:
        driver.quit()
        httpd.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(pdf["data"]))
    return report


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve() if argv else DEFAULT_OUT
    t0 = time.perf_counter()
    try:
        page = build_single_html(Path(sys.executable).parent / "jupyter-book")
        report = print_pdf(page.parent, page.name, out)
    except PdfError as err:
        print(f"[pdf] FAILED: {err}", file=sys.stderr)
        return 1
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(str(out)))
    print(f"[pdf] {out}: {pages} pages, {report['math']} equations, {report['images']} images "
          f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
