"""Sphinx extension of the book (loaded through ``_config.yml`` → ``sphinx.local_extensions``).

1. **Launch buttons follow one setting.** The public repository is named by the environment variable
   ``SCALEDYN_REPOSITORY_URL`` or, when that is unset, by ``repository.url`` in ``_config.yml``.
   With neither, the Binder/JupyterHub/Colab/Deepnote launch buttons and the repository button are
   removed, instead of linking to a repository that does not exist.
2. **Run in the browser.** The chapters listed in ``scaledyn_lite_chapters`` (those that need only
   NumPy, SciPy, SymPy, pandas and Matplotlib) get a header button that opens them in the JupyterLite
   site the build puts in ``lite/`` (Pyodide kernel, no server). The build only makes that site with
   the ``html`` builder; other builders (``singlehtml`` for the PDF) skip it, and so get no button.
3. **One-page HTML for the PDF.** The ``singlehtml`` builder gets the HTML visitors of every node
   (see ``_builder_inited``); ``tools/pdf/print_book.py`` prints that page to PDF.
4. **Nothing from another host.** jupyterlite-sphinx adds a Google-fonts stylesheet to every page
   (used only by its own "try it" buttons, which this book does not use); it is dropped.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePosixPath

ENV_REPOSITORY = "SCALEDYN_REPOSITORY_URL"
#: Launch providers that need a public repository (sphinx-book-theme's names).
REMOTE_LAUNCHERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url")
#: Where jupyterlite-sphinx writes the JupyterLite site inside the HTML output.
LITE_DIR = "lite"


def repository_url(theme_options: dict, environ=os.environ) -> str:
    """The public repository: ``$SCALEDYN_REPOSITORY_URL``, else ``repository.url``; '' when unset."""
    return (environ.get(ENV_REPOSITORY) or theme_options.get("repository_url") or "").strip()


def launch_options(theme_options: dict, environ=os.environ) -> dict:
    """Theme options with the repository and launch buttons switched on or off by the setting.

    Returns a new dict; raises ValueError when the URL is not an http(s) address (a typo would give
    a dead Binder link).
    """
    opts = dict(theme_options)
    url = repository_url(opts, environ)
    launch = dict(opts.get("launch_buttons") or {})
    if url:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{ENV_REPOSITORY} / repository.url must be an http(s) URL, got {url!r}")
        opts["repository_url"] = url
        opts["use_repository_button"] = True
    else:
        opts["repository_url"] = ""
        opts["use_repository_button"] = False
        opts["use_edit_page_button"] = False
        opts["use_issues_button"] = False
        launch.update({key: "" for key in REMOTE_LAUNCHERS})
        launch["thebe"] = False
    if not url.startswith("https://github.com/"):
        launch["colab_url"] = ""  # Colab opens notebooks from GitHub only
    opts["launch_buttons"] = launch
    return opts


def _config_inited(app, config):
    config.html_theme_options = launch_options(config.html_theme_options)
    # The browser chapters are copied into the JupyterLite site at each build (no committed copy).
    config.jupyterlite_contents = [f"{doc}.ipynb" for doc in config.scaledyn_lite_chapters]


def _stage_lite_packages(app, error):
    """Before jupyterlite-sphinx builds the site: wheels of the current scaledyn sources (+ glue)."""
    if (error is not None or app.builder.name != "html" or not app.config.scaledyn_lite_chapters
            or "jupyterlite_sphinx" not in app.extensions):
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jupyterlite"))
    try:
        import build_lite
    finally:
        sys.path.pop(0)
    lite_dir = Path(app.srcdir) / app.config.jupyterlite_dir
    build_lite.stage_book_packages(Path(app.srcdir), lite_dir)  # LiteError stops the build, loudly


def _builder_inited(app):
    # jupyterlite-sphinx registers its remote font with add_css_file; keep only local stylesheets.
    app.registry.css_files = [(name, attrs) for name, attrs in app.registry.css_files
                              if not str(name).startswith(("http://", "https://", "//"))]
    if hasattr(app.builder, "init_css_files"):  # the HTML builders read the registry in init()
        app.builder.init_css_files()
    handlers = app.registry.translation_handlers
    if app.builder.name != "html" and app.builder.format == "html" and app.builder.name in handlers:
        # An extension registered nodes for this builder by name (singlehtml), so Sphinx no longer falls
        # back to the "html" visitors for the others (myst-nb's hidden-cell node): share them.
        for node, visitors in handlers.get("html", {}).items():
            handlers[app.builder.name].setdefault(node, visitors)
    if app.builder.name != "html":
        # The JupyterLite site belongs to the HTML book only (singlehtml/PDF builds skip the ~1 min).
        listeners = app.events.listeners.get("build-finished", [])
        app.events.listeners["build-finished"] = [
            lst for lst in listeners if getattr(lst.handler, "__module__", "") != "jupyterlite_sphinx.jupyterlite_sphinx"]


def lite_url(pagename: str, pathto) -> str:
    """Relative URL that opens the page's notebook in the JupyterLite notebook app."""
    return f"{pathto(LITE_DIR + '/notebooks/index.html', 1)}?path={PurePosixPath(pagename).name}.ipynb"


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.name != "html" or pagename not in app.config.scaledyn_lite_chapters:
        return
    context.setdefault("header_buttons", []).append({
        "type": "link",
        "url": lite_url(pagename, context["pathto"]),
        "text": "Run in your browser",
        "tooltip": "Run this chapter in your browser (JupyterLite: Python in the page, no installation, no server)",
        "icon": "fas fa-play",
        "label": "lite-button",
    })


def setup(app):
    app.add_config_value("scaledyn_lite_chapters", [], "html")
    app.connect("config-inited", _config_inited, priority=900)  # after Jupyter Book filled the options
    app.connect("builder-inited", _builder_inited, priority=900)
    app.connect("html-page-context", _page_context, priority=600)  # after the theme's header buttons
    app.connect("build-finished", _stage_lite_packages, priority=400)  # before jupyterlite-sphinx (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
