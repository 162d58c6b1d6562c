"""Chapters 1-4 run in the browser: the JupyterLite site of the built book (Pyodide kernel, no server),
opened from the local server in headless Chromium with every other host unresolvable.

Each browser chapter is opened in JupyterLite's notebook app, all its cells are run, and the test
checks: no cell raised; the outputs of the cells nbval checks (tag ``nbval-check-output`` or the
``# NBVAL_CHECK_OUTPUT`` comment) equal the outputs stored from the CPython run; at least one figure
was drawn and shown; nothing was requested from another host. Kernel start and run times and the
site size are written to artifacts/browser/lite.json (and printed with -s).
"""

from __future__ import annotations

import json
import time

import pytest
import yaml

from browser_kit import ARTIFACTS, ROOT, drain, remote_requests, save_screenshot

pytestmark = [pytest.mark.book, pytest.mark.slow]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
LITE_CHAPTERS = CONFIG["sphinx"]["config"]["scaledyn_lite_chapters"]
RESULTS: dict[str, dict] = {}

# JupyterLite exposes the application (jupyter-lite.json: exposeAppInBrowser) as window.jupyterapp.
KERNEL_STATUS = """
const app = window.jupyterapp, w = app && app.shell.currentWidget;
const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
return k ? k.status : 'starting';"""
RUN_STATE = """
const w = window.jupyterapp.shell.currentWidget, cells = w.content.model.cells, out = [];
for (let i = 0; i < cells.length; i++) {
  const c = cells.get(i);
  if (c.type === 'code') out.push({i, source: c.sharedModel.getSource(), count: c.executionCount,
                                   tags: c.getMetadata('tags') || [], outputs: c.outputs.toJSON()});
}
return {cells: out, status: w.sessionContext.session.kernel.status,
        images: [...w.node.querySelectorAll('.jp-OutputArea-output img')].filter(i => i.naturalWidth > 100).length};"""


def _checked(cell: dict) -> bool:
    return "nbval-check-output" in cell["tags"] or "# NBVAL_CHECK_OUTPUT" in cell["source"]


def _text(outputs: list[dict]) -> str:
    """What nbval compares, reduced to text: streams and text/plain results."""
    parts = []
    for o in outputs:
        if o["output_type"] == "stream":
            parts.append("".join(o["text"]) if isinstance(o["text"], list) else o["text"])
        elif "data" in o and "text/plain" in o["data"]:
            t = o["data"]["text/plain"]
            parts.append("".join(t) if isinstance(t, list) else t)
    return "".join(parts).strip()


@pytest.fixture(scope="module")
def lite_root(html_dir):
    lite = html_dir / "lite"
    if not (lite / "notebooks" / "index.html").is_file():
        pytest.fail("the book build made no JupyterLite site in _build/html/lite (jupyterlite_sphinx in _config.yml)")
    return lite


def test_lite_site_is_configured_offline(lite_root):
    cfg = json.loads((lite_root / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = cfg["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"].startswith("./static/pyodide/"), kernel["pyodideUrl"]
    assert (lite_root / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
    shipped = sorted(p.name for p in (lite_root / "files").glob("*.ipynb"))
    assert shipped == sorted(f"{doc.split('/')[-1]}.ipynb" for doc in LITE_CHAPTERS)


@pytest.mark.parametrize("doc", LITE_CHAPTERS)
def test_chapter_runs_in_the_browser(doc, lite_root, desktop, book_server):
    name = doc.split("/")[-1] + ".ipynb"
    stored = {i: c for i, c in enumerate(json.loads((lite_root / "files" / name).read_text())["cells"])}
    drain(desktop)
    t0 = time.perf_counter()
    desktop.get(book_server.url(f"lite/notebooks/index.html?path={name}"))
    while (status := desktop.execute_script(KERNEL_STATUS)) != "idle" and time.perf_counter() - t0 < 180:
        time.sleep(0.25)
    kernel_s = time.perf_counter() - t0
    assert status == "idle", f"the Pyodide kernel did not start in 180 s (status {status})"
    desktop.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    t1 = time.perf_counter()
    while time.perf_counter() - t1 < 600:
        state = desktop.execute_script(RUN_STATE)
        errors = [f"cell {c['i']}: {o['ename']}: {o['evalue']}" for c in state["cells"] for o in c["outputs"]
                  if o["output_type"] == "error"]
        if errors or (state["status"] == "idle" and all(c["count"] for c in state["cells"])):
            break
        time.sleep(1)
    run_s = time.perf_counter() - t1
    save_screenshot(desktop, ARTIFACTS / "lite" / (doc.split("/")[-1] + ".png"), full_page=False)
    console, network = drain(desktop)
    assert not errors, "cells raised in the browser:\n" + "\n".join(errors)
    assert all(c["count"] for c in state["cells"]), f"not every cell ran in 600 s ({run_s:.0f} s)"

    checked = [c for c in state["cells"] if _checked(c) or _checked_stored(stored[c["i"]])]
    assert checked, "the chapter has cells whose output nbval checks; none were found"
    differ = [f"cell {c['i']}:\n  browser: {_text(c['outputs'])!r}\n  stored:  {_text(stored[c['i']]['outputs'])!r}"
              for c in checked if _text(c["outputs"]) != _text(stored[c["i"]]["outputs"])]
    assert not differ, "computed values differ from the CPython run:\n" + "\n".join(differ)
    assert state["images"] > 0, "no figure was drawn in the browser"

    from types import SimpleNamespace
    remote = remote_requests(SimpleNamespace(requests=[m["params"]["request"]["url"] for m in network
                                                       if m["method"] == "Network.requestWillBeSent"]),
                             book_server.base)
    assert remote == [], "the browser chapter requested other hosts:\n" + "\n".join(remote)
    RESULTS[doc] = {"kernel_start_s": round(kernel_s, 1), "run_all_s": round(run_s, 1),
                    "checked_cells": len(checked), "figures": state["images"]}


def _checked_stored(cell: dict) -> bool:
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return "nbval-check-output" in cell.get("metadata", {}).get("tags", []) or "# NBVAL_CHECK_OUTPUT" in src


def test_record_lite_measurements(lite_root):
    size = sum(p.stat().st_size for p in lite_root.rglob("*") if p.is_file())
    pyodide = sum(p.stat().st_size for p in (lite_root / "static" / "pyodide").rglob("*") if p.is_file())
    report = {"site_MB": round(size / 1e6, 1), "pyodide_MB": round(pyodide / 1e6, 1), "chapters": RESULTS}
    (ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "lite.json").write_text(json.dumps(report, indent=1))
    print("\nJupyterLite:", json.dumps(report))
    assert size < 150e6, f"the JupyterLite site grew to {size / 1e6:.0f} MB"
