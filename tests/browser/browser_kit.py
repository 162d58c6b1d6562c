"""Helpers of the browser tests: the built book served over HTTP on 127.0.0.1, headless Chromium, and the
in-page report every check reads (fixtures are in conftest.py).

The book under test is ``_build/html`` of the repository (``python3 tasks.py test`` builds it there
before running pytest). To test a build made elsewhere (e.g. ``jupyter-book build . --path-output
/tmp/b``), point ``SCALEDYN_BOOK_HTML`` at its ``_build/html`` folder.

Chromium and its driver are Debian's ``chromium`` + ``chromium-driver`` (``tasks.py`` installs them);
``SCALEDYN_CHROMIUM`` / ``SCALEDYN_CHROMEDRIVER`` override their paths. Selenium is given both paths,
so Selenium Manager (which would download a driver) never runs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("SCALEDYN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SCALEDYN_CHROMEDRIVER", "/usr/bin/chromedriver")

#: Desktop window and phone viewport (CSS pixels). 360 px is the narrowest common phone width.
DESKTOP = (1366, 900)
PHONE = {"width": 360, "height": 740, "pixelRatio": 2.0}

# The flags without which headless Chromium phones home or fails in a container (see
# TOOLCHAIN-NOTES.md). The resolver rule makes every host except 127.0.0.1 unresolvable: the tests
# never depend on the network, and a request to another host still shows up in the DevTools log
# (and as a console error), where the tests look for it.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps", "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def book_html_dir() -> Path:
    env = os.environ.get("SCALEDYN_BOOK_HTML")
    return Path(env).resolve() if env else ROOT / "_build" / "html"


def toc_pages() -> list[str]:
    """The pages of the book in reading order (root first), as paths relative to the HTML root."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [f"{d}.html" for d in docs]


#: Pages Sphinx generates besides the TOC's.
GENERATED_PAGES = ["genindex.html", "search.html"]


# --------------------------------------------------------------------------------------------- server
class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder; remembers every request that did not find a file (the tests assert on them)."""

    misses: list[str]

    def log_message(self, fmt, *args):  # no access log on stderr
        pass

    def send_error(self, code, message=None, explain=None):
        if code >= 400:
            self.server.misses.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


@dataclass
class Server:
    root: Path
    base: str
    misses: list[str] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


def serve(root: Path) -> Server:
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free port
    httpd.daemon_threads = True
    srv = Server(root=root, base=f"http://127.0.0.1:{httpd.server_port}/", _httpd=httpd)
    httpd.misses = srv.misses
    threading.Thread(target=httpd.serve_forever, name="book-http", daemon=True).start()
    return srv


# -------------------------------------------------------------------------------------------- browser
def new_driver(phone: bool):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for exe in (CHROMIUM, CHROMEDRIVER):
        if not Path(exe).exists():
            pytest.fail(f"{exe} is missing: `python3 tasks.py test` installs Debian's chromium and chromium-driver "
                        "(apt-get, as root); or set SCALEDYN_CHROMIUM / SCALEDYN_CHROMEDRIVER")
    profile = tempfile.mkdtemp(prefix="scaledyn-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile}")
    if phone:
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    else:
        opts.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    # Console messages (browser log) and DevTools network events (performance log).
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.get("about:blank")
    drain(driver)
    driver._scaledyn_profile = profile
    return driver


def quit_driver(driver):
    driver.quit()
    shutil.rmtree(driver._scaledyn_profile, ignore_errors=True)


def drain(driver) -> tuple[list[dict], list[dict]]:
    """Return and clear (console entries, DevTools network events) collected since the last call."""
    console = driver.get_log("browser")
    network = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"].startswith("Network."):
            network.append(msg)
    return console, network


# Runs in the page after it loaded: waits for MathJax and the images, then reports what the checks need.
REPORT_JS = r"""
const done = arguments[arguments.length - 1];
async function report() {
  const out = {};
  // Images: lazy ones are made eager so that every image is fetched, then each gets 10 s at most.
  const imgs = [...document.images];
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r, {once: true}); i.addEventListener('error', r, {once: true}); setTimeout(r, 10000);
  })));
  out.images = imgs.length;
  out.badImages = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  // MathJax: wait for the first typesetting pass, then read back every formula it saw.
  const mj = window.MathJax;
  out.mathjax = !!(mj && mj.startup && mj.startup.promise);
  out.mathItems = 0; out.mathErrors = [];
  if (out.mathjax) {
    await mj.startup.promise;
    for (const item of mj.startup.document.math) {
      out.mathItems += 1;
      const mml = mj.startup.toMML(item.root);
      // merror: TeX syntax error; mathcolor="red": an undefined macro shown by the noundefined extension.
      if (/<merror|mathcolor="red"/.test(mml)) out.mathErrors.push(item.math.slice(0, 120));
    }
  }
  out.errorNodes = document.querySelectorAll('mjx-merror, [data-mjx-error]').length;
  out.mathElements = document.querySelectorAll('.math').length;
  out.untypeset = [...document.querySelectorAll('.math')]
      .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.trim().slice(0, 120));
  // Raw TeX left in the text (outside code, outputs and typeset math).
  const skip = 'pre, code, script, style, textarea, kbd, samp, mjx-container, .highlight, .cell_output';
  const raw = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      (n.parentElement && n.parentElement.closest(skip)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  out.rawTex = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (raw.test(n.nodeValue)) out.rawTex.push(n.nodeValue.trim().slice(0, 120));
  }
  // Links, for the link checks (resolved by the browser).
  out.links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  // Reading at this width: no horizontal scroll of the page, of the article, or inside a prose block.
  const vw = document.documentElement.clientWidth;
  out.viewport = vw;
  out.pageScrollWidth = document.scrollingElement.scrollWidth;
  out.containers = [...document.querySelectorAll('.bd-main, .bd-content, .bd-article-container, article, main')]
      .filter(e => e.scrollWidth > e.clientWidth + 1)
      .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: ${e.scrollWidth} > ${e.clientWidth}`);
  const prose = 'article p, article li, article h1, article h2, article h3, article h4, article dt, article dd, ' +
                'article blockquote, article figcaption, article .admonition-title, main p, main li';
  const notProse = 'table, pre, .highlight, .cell_output, .output, mjx-container, .math, nav';
  out.wideProse = [...new Set([...document.querySelectorAll(prose)])]
      .filter(e => e.offsetParent !== null && !e.closest(notProse))
      .filter(e => { const r = e.getBoundingClientRect();
                     return e.scrollWidth > e.clientWidth + 1 || r.right > vw + 1 || r.left < -1; })
      .map(e => e.textContent.trim().replace(/\s+/g, ' ').slice(0, 100));
  // Chapter frame: "what you will learn" near the start, exercises at the end.
  const article = document.querySelector('article') || document.body;
  out.learnEarly = false;
  const firstH2 = article.querySelector('h2');
  for (const e of article.querySelectorAll('p, li, h2, h3, .admonition-title, strong, summary')) {
    if (firstH2 && (firstH2.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) && e !== firstH2) break;
    if (/what you will learn/i.test(e.textContent)) { out.learnEarly = true; break; }
  }
  out.learnAnywhere = /what you will learn/i.test(article.textContent);
  out.exercises = article.querySelectorAll('.exercise').length;
  out.title = document.title;
  return out;
}
report().then(done, e => done({scriptError: String(e && e.stack || e)}));
"""


@dataclass
class Visit:
    """What one page load showed: the in-page report, console messages and network requests."""

    url: str
    report: dict
    console: list[dict]
    network: list[dict]
    seconds: float

    @property
    def requests(self) -> list[str]:
        return [m["params"]["request"]["url"] for m in self.network if m["method"] == "Network.requestWillBeSent"]

    @property
    def failed_requests(self) -> list[str]:
        ids = {m["params"]["requestId"]: m["params"]["request"]["url"]
               for m in self.network if m["method"] == "Network.requestWillBeSent"}
        return [f'{ids.get(m["params"]["requestId"], "?")}: {m["params"].get("errorText")}'
                for m in self.network if m["method"] == "Network.loadingFailed"]


def visit(driver, url: str, screenshot: Path | None = None, full_page: bool = True) -> Visit:
    drain(driver)
    t0 = time.perf_counter()
    driver.get(url)
    report = driver.execute_async_script(REPORT_JS)
    seconds = time.perf_counter() - t0
    if screenshot is not None:
        save_screenshot(driver, screenshot, full_page=full_page)
    console, network = drain(driver)
    return Visit(url=url, report=report, console=console, network=network, seconds=seconds)


def save_screenshot(driver, path: Path, full_page: bool = True) -> None:
    """A PNG of the whole page (beyond the viewport), via the DevTools protocol."""
    import base64

    path.parent.mkdir(parents=True, exist_ok=True)
    if not full_page:
        driver.save_screenshot(str(path))
        return
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(1, int(size["width"]))
    height = max(1, min(int(size["height"]), 30000))  # Chromium's texture limit
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))


class VisitCache:
    """Each page is loaded once per browser; the parametrized checks share that visit."""

    def __init__(self, driver, server: Server, kind: str):
        self.driver, self.server, self.kind, self._visits = driver, server, kind, {}

    def __call__(self, page: str) -> Visit:
        if page not in self._visits:
            shot = ARTIFACTS / self.kind / (page.replace("/", "__").removesuffix(".html") + ".png")
            # Desktop: the whole page; phone: the first screen (what a reader sees on opening it).
            self._visits[page] = visit(self.driver, self.server.url(page), screenshot=shot,
                                       full_page=self.kind == "desktop")
        return self._visits[page]



# ------------------------------------------------------------------------------------------- checkers
# Console messages that are not the book's fault, each with the reason. Everything else at level
# SEVERE (console.error, uncaught exceptions, failed loads) fails the test.
BENIGN_CONSOLE = [
    # Chromium asks every site for /favicon.ico when a page declares no icon; the book has no icon and
    # no page links to that file (a missing file a page *does* load fails test_every_local_resource_exists
    # and the server-side 404 check).
    ("favicon.ico - Failed to load resource", "browser's own favicon probe"),
]


def console_errors(v: Visit) -> list[str]:
    out = []
    for entry in v.console:
        if entry["level"] != "SEVERE":
            continue
        if any(pattern in entry["message"] for pattern, _why in BENIGN_CONSOLE):
            continue
        out.append(entry["message"])
    return out


def remote_requests(v: Visit, base: str) -> list[str]:
    """Every request the page made to anything but the local server (data: and blob: URLs stay in the page)."""
    return [u for u in v.requests if not u.startswith(base) and not u.startswith(("data:", "blob:"))]


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for k, val in attrs:
            if k in ("id", "name") and val:
                self.ids.add(val)


@functools.lru_cache(maxsize=None)
def anchors_of(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def broken_links(links: list[str], root: Path, base: str) -> list[str]:
    """Links to the local server whose file is missing, or whose #fragment is not an id of that file."""
    bad = []
    for href in sorted(set(links)):
        if not href.startswith(base):
            continue  # other hosts: plain links to the outside (repository, Binder) are fine
        parsed = urlsplit(href)
        rel = unquote(parsed.path)[len(urlsplit(base).path):]
        target = root / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{href}: no such file")
            continue
        frag = unquote(parsed.fragment)
        if frag and target.suffix == ".html" and frag not in anchors_of(target):
            bad.append(f"{href}: no element with id {frag!r}")
    return bad
