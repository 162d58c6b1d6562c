"""Figures stay readable in the theme's dark mode: one chapter figure is screenshotted in light and in
dark mode (artifacts/browser/dark-mode/), and in both the figure keeps a light background with dark ink
while, in dark mode, the page around it is dark."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser_kit import ARTIFACTS

pytestmark = pytest.mark.book

PAGE = "chapters/04_vft.html"


def luminance(png: bytes) -> np.ndarray:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    return rgb @ [0.2126, 0.7152, 0.0722]


def figure_readable(lum: np.ndarray) -> tuple[bool, str]:
    """A light background (median luminance > 0.7) with visible dark ink (> 0.5 % of pixels < 0.35)."""
    median, ink = float(np.median(lum)), float((lum < 0.35).mean())
    return median > 0.7 and ink > 0.005, f"median luminance {median:.2f}, dark ink {100 * ink:.1f} %"


def _shoot(driver, url: str, mode: str, extra_css: str = "") -> tuple[np.ndarray, float]:
    driver.get(url)
    driver.execute_script("localStorage.setItem('theme', arguments[0]); localStorage.setItem('mode', arguments[0]);", mode)
    driver.get(url)  # the theme reads the stored mode on load
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.documentElement.dataset.theme") == mode)
    if extra_css:
        driver.execute_script("const s = document.createElement('style'); s.textContent = arguments[0];"
                              "document.head.appendChild(s);", extra_css)
    img = next(i for i in driver.find_elements(By.CSS_SELECTOR, "div.cell_output img") if i.size["width"] > 200)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", img)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img))
    png = img.screenshot_as_png
    (ARTIFACTS / "dark-mode").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "dark-mode" / f"figure-{mode}{'-planted' if extra_css else ''}.png").write_bytes(png)
    page_bg = driver.execute_script("const c = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);"
                                    "return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;")
    return luminance(png), page_bg


def test_a_figure_is_readable_in_light_and_dark_mode(desktop, book_server):
    url = book_server.url(PAGE)
    try:
        light, light_bg = _shoot(desktop, url, "light")
        dark, dark_bg = _shoot(desktop, url, "dark")
        # The checker can fail: the same figure with its colours inverted (what a transparent figure
        # with black ink looks like on a dark page) is flagged.
        inverted, _ = _shoot(desktop, url, "dark", extra_css="div.cell_output img { filter: invert(1) !important; }")
    finally:
        desktop.execute_script("localStorage.setItem('theme', 'light'); localStorage.setItem('mode', 'light');")
    assert light_bg > 0.8 and dark_bg < 0.3, f"theme modes not applied (page luminance {light_bg:.2f} / {dark_bg:.2f})"
    for name, lum in (("light", light), ("dark", dark)):
        ok, why = figure_readable(lum)
        assert ok, f"figure in {name} mode is not readable: {why}"
    assert not figure_readable(inverted)[0], "the readability check cannot tell an inverted figure"
