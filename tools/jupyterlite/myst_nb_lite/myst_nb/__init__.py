"""Stand-in for myst-nb's ``glue`` in the browser (JupyterLite) edition of the chapters.

In the book, ``myst_nb.glue(name, value)`` stores a computed value so the prose can quote it. The
browser kernel has no myst-nb; this module keeps the chapters' code unchanged: it remembers the value
in ``GLUED`` and shows it when ``display`` is true, as myst-nb does in a notebook.
"""

__version__ = "0.0.0+scaledyn.lite"

#: name -> value of everything glued in this kernel session.
GLUED = {}


def glue(name: str, variable, display: bool = True) -> None:
    """Remember ``variable`` under ``name``; display it like the last expression of a cell if ``display``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    GLUED[name] = variable
    if display:
        from IPython.display import display as _show

        _show(variable)
