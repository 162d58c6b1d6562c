"""Launch buttons follow one setting: SCALEDYN_REPOSITORY_URL (or repository.url in _config.yml).

Unset, a page shows no Binder/Colab/repository button (no link to a repository that does not exist);
set, the buttons point at that repository. Both are checked on a two-page book built for the test, and
the book's own build is checked against the setting it was built with.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "sphinx"))
import scaledyn_book  # noqa: E402

JB = Path(sys.executable).parent / "jupyter-book"
THEME = {"repository_url": "", "launch_buttons": {"binderhub_url": "https://mybinder.org",
                                                  "colab_url": "https://colab.research.google.com"}}


def test_options_without_a_repository_hide_the_remote_buttons():
    opts = scaledyn_book.launch_options(THEME, environ={})
    assert opts["use_repository_button"] is False and opts["repository_url"] == ""
    assert opts["launch_buttons"]["binderhub_url"] == "" and opts["launch_buttons"]["colab_url"] == ""
    assert THEME["launch_buttons"]["binderhub_url"] == "https://mybinder.org", "the input is not modified"


def test_options_with_a_repository_show_them():
    gh = scaledyn_book.launch_options(THEME, environ={"SCALEDYN_REPOSITORY_URL": "https://github.com/o/r"})
    assert gh["repository_url"] == "https://github.com/o/r" and gh["use_repository_button"] is True
    assert gh["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert gh["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    # Colab reads GitHub only; the environment wins over _config.yml.
    gl = scaledyn_book.launch_options({**THEME, "repository_url": "https://github.com/x/y"},
                                      environ={"SCALEDYN_REPOSITORY_URL": "https://gitlab.com/o/r"})
    assert gl["repository_url"] == "https://gitlab.com/o/r" and gl["launch_buttons"]["colab_url"] == ""
    with pytest.raises(ValueError, match="SCALEDYN_REPOSITORY_URL"):
        scaledyn_book.launch_options(THEME, environ={"SCALEDYN_REPOSITORY_URL": "github.com/o/r"})


def _mini_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    (book / "intro.md").write_text("# Intro\n\nA page.\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter"), nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "chapter.ipynb")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapter\n")
    config = {"title": "t", "execute": {"execute_notebooks": "off"}, "only_build_toc_files": True,
              "repository": {"url": "", "branch": "main"},
              "launch_buttons": {"notebook_interface": "jupyterlab", **THEME["launch_buttons"]},
              "html": {"use_repository_button": False},
              "sphinx": {"local_extensions": {"scaledyn_book": str(ROOT / "tools" / "sphinx")},
                         "config": {"scaledyn_lite_chapters": ["chapter"]}}}
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    return book


@pytest.mark.parametrize("repository", ["", "https://github.com/scale-dynamics/book"])
def test_built_page_follows_the_setting(repository, tmp_path):
    book = _mini_book(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SCALEDYN_REPOSITORY_URL"}
    if repository:
        env["SCALEDYN_REPOSITORY_URL"] = repository
    out = subprocess.run([str(JB), "build", str(book), "-W", "-n", "--keep-going"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    page = (book / "_build" / "html" / "chapter.html").read_text()
    binder = "https://mybinder.org/v2/gh/scale-dynamics/book/main?urlpath=lab/tree/chapter.ipynb"
    colab = "https://colab.research.google.com/github/scale-dynamics/book/blob/main/chapter.ipynb"
    if repository:
        assert binder in page and colab in page and f'href="{repository}"' in page
    else:
        assert "mybinder.org" not in page and "colab.research" not in page and "github.com" not in page
    # The browser-run button is independent of the repository.
    assert 'href="lite/notebooks/index.html?path=chapter.ipynb"' in page


def test_the_book_was_built_with_its_setting(html_dir):
    url = os.environ.get("SCALEDYN_REPOSITORY_URL") or yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    lite = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["scaledyn_lite_chapters"]
    for page in sorted((html_dir / "chapters").glob("*.html")):
        html = page.read_text()
        assert ("mybinder.org/v2" in html) == bool(url), f"{page.name}: Binder button does not follow the setting"
        has_lite = "lite/notebooks/index.html?path=" in html
        assert has_lite == (f"chapters/{page.stem}" in lite), f"{page.name}: 'Run in your browser' button"
