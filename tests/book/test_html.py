"""The built HTML is self-contained: nothing is loaded from another host, and MathJax is local."""

from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.book

# (tag, attribute) pairs through which a page makes the browser load something.
LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
           ("audio", "src"), ("embed", "src"), ("object", "data")}
LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut icon", "manifest", "prefetch"}


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for t, attr in LOADING:
            if tag == t and a.get(attr):
                self.urls.append((tag, a[attr]))
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() in LOADING_LINK_RELS:
            self.urls.append((tag, a["href"]))


def loads_of(path):
    parser = _Loads()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.urls


def book_pages(html_dir):
    """Every rendered page (theme templates copied into _static/ are not pages)."""
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.relative_to(html_dir).parts)


def is_remote(url: str) -> bool:
    parsed = urlparse(url)
    return bool(parsed.scheme in {"http", "https", "ftp"} or url.startswith("//") or parsed.netloc)


def test_parser_flags_remote_loads(tmp_path):
    # The checker itself must be able to fail.
    page = tmp_path / "p.html"
    page.write_text('<script src="https://cdn.example.org/x.js"></script><link rel="stylesheet" href="//x/y.css">'
                    '<script src="_static/local.js"></script><a href="https://example.org">a link is fine</a>')
    remote = [u for _, u in loads_of(page) if is_remote(u)]
    assert remote == ["https://cdn.example.org/x.js", "//x/y.css"]


def test_no_page_loads_anything_from_another_host(html_dir):
    pages = book_pages(html_dir)
    assert len(pages) >= 9, f"expected the intro, 7 chapters and references, found {len(pages)} pages"
    offenders = [f"{p.relative_to(html_dir)}: <{tag}> {url}" for p in pages for tag, url in loads_of(p) if is_remote(url)]
    assert not offenders, "pages load resources from other hosts:\n" + "\n".join(offenders)


def test_every_local_resource_exists(html_dir):
    missing = []
    for page in book_pages(html_dir):
        for tag, url in loads_of(page):
            if is_remote(url) or url.startswith("data:"):
                continue
            target = (page.parent / urlparse(url).path).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(html_dir)}: {url}")
    assert not missing, "missing local resources:\n" + "\n".join(missing)


def test_mathjax_is_served_locally(html_dir):
    chapter = html_dir / "intro.html"  # the landing page has math
    scripts = [url for tag, url in loads_of(chapter) if tag == "script"]
    mathjax = [u for u in scripts if "mathjax" in u.lower()]
    assert mathjax, "the chapter pages must load MathJax"
    assert all(not is_remote(u) for u in mathjax)
    local = (chapter.parent / urlparse(mathjax[0]).path).resolve()
    assert local.name == "tex-chtml.js" and local.stat().st_size > 100_000, "the local MathJax bundle is incomplete"
    fonts = list((local.parent / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert fonts, "MathJax's CHTML fonts must be served locally too"
