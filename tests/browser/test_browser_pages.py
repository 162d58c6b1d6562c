"""The built book in a real browser (headless Debian Chromium driven by selenium).

Every page of the TOC (plus the search and index pages) is opened from a local HTTP server, once at
desktop size and once at phone width, and checked: MathJax typeset every formula, every image loaded,
no console error, no request to another host, every internal link resolves, and the prose does not
scroll sideways on a phone. The navigation (previous/next, sidebar table of contents, search) is
driven by clicks. Screenshots land in artifacts/browser/{desktop,phone}/ (ignored by git).

The checkers are tested on a deliberately broken page first (test_checkers_flag_a_broken_page).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_kit import (GENERATED_PAGES, broken_links, console_errors, remote_requests, serve, toc_pages,
                         visit)

pytestmark = pytest.mark.book

TOC = toc_pages()
PAGES = TOC + GENERATED_PAGES
CHAPTERS = [p for p in TOC if p.startswith("chapters/")]


def _math_problems(r: dict) -> list[str]:
    out = []
    if r["mathElements"] and not r["mathjax"]:
        out.append(f"{r['mathElements']} formulas but MathJax is not loaded")
    out += [f"not typeset: {t}" for t in r["untypeset"]]
    out += [f"raw TeX in the text: {t}" for t in r["rawTex"]]
    out += [f"MathJax error in: {t}" for t in r["mathErrors"]]
    if r["errorNodes"]:
        out.append(f"{r['errorNodes']} MathJax error nodes")
    return out


def _phone_problems(r: dict) -> list[str]:
    out = []
    if r["pageScrollWidth"] > r["viewport"] + 1:
        out.append(f"the page scrolls sideways: {r['pageScrollWidth']} px wide in a {r['viewport']} px viewport")
    out += [f"a container scrolls sideways: {c}" for c in r["containers"]]
    out += [f"prose wider than the screen: {t!r}" for t in r["wideProse"]]
    return out


# ----------------------------------------------------------------------------- the checkers can fail
BAD_PAGE = r"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>window.MathJax = {options: {processHtmlClass: 'math'}};</script>
<script defer src="_static/mathjax/tex-chtml.js"></script></head>
<body><main><article>
<p>Inline math the parser missed: $\tau_\alpha$ grows.</p>
<p>An undefined macro: <span class="math">\(\undefinedmacro x\)</span></p>
<p>A TeX error: <span class="math">\(\frac{1}\)</span></p>
<p>Unbalanced braces: <span class="math">\(x^{2\)</span></p>
<img src="missing.png" alt="missing"><img src="http://remote.example/x.png" alt="remote">
<p>Averyveryveryveryverylongunbreakablewordthatdoesnotfitonaphonescreenandkeepsgoingonandonandonforever</p>
<p><a href="nowhere.html">broken link</a> <a href="good.html#no-such-anchor">missing anchor</a>
   <a href="good.html#here">fine</a> <a href="https://example.org/">outside link, fine</a></p>
<script>console.error("boom");</script>
</article></main></body></html>"""

# A page whose MathJax never loads (the failure mode of a CDN-hosted MathJax offline).
NO_MATHJAX_PAGE = r"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>
<body><main><p>Display math: $$E = mc^2$$</p><p>Inline: <span class="math">\(x\)</span></p></main></body></html>"""

GOOD_PAGE = r"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>window.MathJax = {options: {processHtmlClass: 'math'}};</script>
<script defer src="_static/mathjax/tex-chtml.js"></script></head>
<body><main><article><h1 id="here">Fine</h1>
<p>Inline <span class="math">\(\tau_\alpha = \tau_0 e^{D T_0/(T-T_0)}\)</span> and a price of 5 $.</p>
<div class="math">\[\beta(g) = \lambda g\]</div>
<p><a href="bad.html">a link</a></p></article></main></body></html>"""


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory, html_dir):
    site = tmp_path_factory.mktemp("site")
    (site / "_static").symlink_to(html_dir / "_static")  # the book's local MathJax
    (site / "bad.html").write_text(BAD_PAGE)
    (site / "good.html").write_text(GOOD_PAGE)
    (site / "nomathjax.html").write_text(NO_MATHJAX_PAGE)
    srv = serve(site)
    yield srv
    srv.close()


@pytest.mark.parametrize("kind", ["desktop", "phone"])
def test_checkers_flag_a_broken_page(kind, fixture_site, request):
    driver = request.getfixturevalue(kind)
    bad = visit(driver, fixture_site.url("bad.html"))
    good = visit(driver, fixture_site.url("good.html"))
    assert "scriptError" not in bad.report and "scriptError" not in good.report, (bad.report, good.report)

    problems = _math_problems(bad.report)
    assert "raw TeX in the text: Inline math the parser missed: $\\tau_\\alpha$ grows." in problems, problems
    assert "MathJax error in: \\undefinedmacro x" in problems, problems
    assert "MathJax error in: \\frac{1}" in problems, problems
    assert "not typeset: \\(x^{2\\)" in problems, problems
    assert _math_problems(good.report) == [] and good.report["mathItems"] == 2
    nomj = _math_problems(visit(driver, fixture_site.url("nomathjax.html")).report)
    assert nomj == ["1 formulas but MathJax is not loaded",
                    "not typeset: \\(x\\)", "raw TeX in the text: Display math: $$E = mc^2$$",
                    "raw TeX in the text: \\(x\\)"], nomj

    assert sorted(bad.report["badImages"]) == ["http://remote.example/x.png", "missing.png"]
    assert good.report["badImages"] == []

    errors = console_errors(bad)
    assert any('"boom"' in e for e in errors), errors
    assert any("missing.png" in e for e in errors), errors
    assert console_errors(good) == []

    assert remote_requests(bad, fixture_site.base) == ["http://remote.example/x.png"]
    assert remote_requests(good, fixture_site.base) == []

    links = broken_links(bad.report["links"], fixture_site.root, fixture_site.base)
    assert [x.split(": ", 1)[1] for x in links] == ["no element with id 'no-such-anchor'", "no such file"], links
    assert broken_links(good.report["links"], fixture_site.root, fixture_site.base) == []

    if kind == "phone":
        assert any("Averyvery" in p for p in _phone_problems(bad.report)), _phone_problems(bad.report)
        assert _phone_problems(good.report) == []
    assert "404 /missing.png" in fixture_site.misses


# ---------------------------------------------------------------------------------------- every page
def test_every_built_page_is_checked(html_dir):
    built = sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                   if "_static" not in p.relative_to(html_dir).parts and p.name != "index.html")
    assert built == sorted(PAGES), "pages outside the TOC were built, or TOC pages are missing"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(page, desktop_visit):
    r = desktop_visit(page).report
    assert "scriptError" not in r, r
    assert not _math_problems(r), "\n".join(_math_problems(r))


def test_formulas_are_actually_there(desktop_visit):
    # Guards against a vacuous pass: the landing page and the chapters carry MathJax-typeset formulas.
    counts = {p: desktop_visit(p).report["mathItems"] for p in [TOC[0], *CHAPTERS]}
    assert all(n > 0 for n in counts.values()), counts


@pytest.mark.parametrize("page", PAGES)
def test_images_and_figures_load(page, desktop_visit):
    r = desktop_visit(page).report
    assert r["badImages"] == [], f"images that did not load: {r['badImages']}"


@pytest.mark.parametrize("page", PAGES)
def test_no_console_errors(page, desktop_visit, phone_visit):
    errors = console_errors(desktop_visit(page)) + [f"(phone) {e}" for e in console_errors(phone_visit(page))]
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("page", PAGES)
def test_no_request_to_another_host(page, desktop_visit, phone_visit, book_server):
    remote = remote_requests(desktop_visit(page), book_server.base) + remote_requests(phone_visit(page), book_server.base)
    assert remote == [], "the page requested resources from other hosts:\n" + "\n".join(remote)
    failed = desktop_visit(page).failed_requests
    assert failed == [], "requests that failed:\n" + "\n".join(failed)


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(page, desktop_visit, html_dir, book_server):
    bad = broken_links(desktop_visit(page).report["links"], html_dir, book_server.base)
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("page", PAGES)
def test_readable_at_phone_width(page, phone_visit):
    r = phone_visit(page).report
    assert r["viewport"] <= 400, f"the phone emulation is not active (viewport {r['viewport']} px)"
    assert not _phone_problems(r), "\n".join(_phone_problems(r))


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_opens_with_goals_and_ends_with_exercises(page, desktop_visit):
    r = desktop_visit(page).report
    assert r["learnEarly"], "a chapter starts with 'What you will learn' (before its first section)"
    assert r["exercises"] > 0, "a chapter ends with exercises"


def test_server_never_answered_404(book_server, desktop_visit, phone_visit):
    for page in PAGES:  # make sure every page was visited in both browsers, whatever ran before
        desktop_visit(page), phone_visit(page)
    # /favicon.ico: Chromium's own probe (see BENIGN_CONSOLE in browser_kit.py).
    misses = [m for m in book_server.misses if m != "404 /favicon.ico"]
    assert misses == [], "\n".join(misses)


# ---------------------------------------------------------------------------------------- navigation
def _wait_for_page(driver, path: str):
    WebDriverWait(driver, 30).until(lambda d: d.current_url.split("#")[0].split("?")[0].endswith("/" + path))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _click(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def test_index_redirects_to_the_landing_page(desktop, book_server):
    desktop.get(book_server.url("index.html"))
    _wait_for_page(desktop, TOC[0])


def test_next_and_previous_walk_the_book_in_toc_order(desktop, book_server):
    """Click 'next' from the landing page to the end; every page's 'previous' points one page back."""
    def target(link):
        return link.get_attribute("href").split("#")[0].removeprefix(book_server.base)

    desktop.get(book_server.url(TOC[0]))
    assert not desktop.find_elements(By.CSS_SELECTOR, "a.left-prev"), "the first page has no 'previous'"
    seen = [TOC[0]]
    for _ in range(len(TOC) + 2):
        nxt = desktop.find_elements(By.CSS_SELECTOR, "a.right-next")
        if not nxt:
            break
        expected = TOC[len(seen)] if len(seen) < len(TOC) else "(past the end)"
        _click(desktop, nxt[0])
        _wait_for_page(desktop, expected)
        assert target(desktop.find_element(By.CSS_SELECTOR, "a.left-prev")) == seen[-1]
        seen.append(expected)
    assert seen == TOC, f"'next' visited {seen}"
    for expected in reversed(TOC[-3:-1]):  # and 'previous' takes the reader back
        _click(desktop, desktop.find_element(By.CSS_SELECTOR, "a.left-prev"))
        _wait_for_page(desktop, expected)


def test_sidebar_table_of_contents_lists_and_opens_every_page(desktop, book_server):
    desktop.get(book_server.url(TOC[0]))
    links = desktop.find_elements(By.CSS_SELECTOR, "nav.bd-docs-nav a.reference.internal")
    targets = [a.get_attribute("href").removeprefix(book_server.base).split("#")[0] for a in links]
    assert targets == TOC[1:] or targets == TOC, f"the sidebar lists {targets}"
    chapter = CHAPTERS[len(CHAPTERS) // 2]
    _click(desktop, next(a for a, t in zip(links, targets) if t == chapter))
    _wait_for_page(desktop, chapter)
    # Sphinx marks the open page's entry "current" (and points it at "#", i.e. the page itself).
    current = desktop.find_elements(By.CSS_SELECTOR, "nav.bd-docs-nav li.current > a")
    assert [a.get_attribute("href").split("#")[0].removeprefix(book_server.base) for a in current] == [chapter]
    # The visible sidebar button collapses the sidebar and brings it back.
    sidebar = desktop.find_element(By.ID, "pst-primary-sidebar")
    toggle = next(b for b in desktop.find_elements(By.CSS_SELECTOR, "button.primary-toggle") if b.is_displayed())
    _click(desktop, toggle)
    WebDriverWait(desktop, 10).until(lambda d: "pst-sidebar-hidden" in sidebar.get_attribute("class"))
    _click(desktop, toggle)
    WebDriverWait(desktop, 10).until(lambda d: "pst-sidebar-hidden" not in sidebar.get_attribute("class"))


def test_phone_menu_opens_the_table_of_contents(phone, book_server):
    phone.get(book_server.url(CHAPTERS[0]))
    toggles = [b for b in phone.find_elements(By.CSS_SELECTOR, "button.primary-toggle") if b.is_displayed()]
    assert toggles, "on a phone the table of contents sits behind a menu button"
    _click(phone, toggles[0])
    dialog = WebDriverWait(phone, 10).until(EC.visibility_of_element_located((By.ID, "pst-primary-sidebar-modal")))
    assert phone.execute_script("return document.getElementById('pst-primary-sidebar-modal').open")
    link = next(a for a in dialog.find_elements(By.CSS_SELECTOR, "a.reference.internal")
                if a.get_attribute("href").endswith(CHAPTERS[1]))
    _click(phone, link)
    _wait_for_page(phone, CHAPTERS[1])


def _search_results(driver) -> list[str]:
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("const s = document.querySelector('.search-summary');"
                                   "return s && s.textContent.trim().length > 0"))
    return [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")]


def test_search_page_finds_a_term_and_not_nonsense(desktop, book_server, html_dir):
    desktop.get(book_server.url("search.html?q=fragility"))
    hits = _search_results(desktop)
    assert hits, "searching 'fragility' finds pages"
    assert all((html_dir / h.removeprefix(book_server.base).split("#")[0].split("?")[0]).is_file() for h in hits)
    desktop.get(book_server.url("search.html?q=zqxjvwkplm"))
    assert _search_results(desktop) == []


def test_search_box_in_the_header_searches(desktop, book_server):
    desktop.get(book_server.url(CHAPTERS[0]))
    buttons = [b for b in desktop.find_elements(By.CSS_SELECTOR, "button.search-button__button") if b.is_displayed()]
    assert buttons, "the header shows a search button"
    _click(desktop, buttons[0])
    box = WebDriverWait(desktop, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#pst-search-dialog input[name=q]")))
    box.send_keys("glass", Keys.ENTER)
    _wait_for_page(desktop, "search.html")
    assert _search_results(desktop), "searching 'glass' from the header finds pages"


def test_screenshots_saved(desktop_visit, phone_visit):
    from browser_kit import ARTIFACTS

    for page in TOC:
        desktop_visit(page), phone_visit(page)
        name = page.replace("/", "__").removesuffix(".html") + ".png"
        for kind in ("desktop", "phone"):
            shot = Path(ARTIFACTS) / kind / name
            assert shot.is_file() and shot.stat().st_size > 5_000, f"screenshot {shot} missing or empty"
