"""The reports in a real browser: headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it)
driven by Playwright opens the index, the national report and three profiles of the end-to-end
build. Every image loads, nothing is logged as an error, no request leaves the file, the index
sorts and filters. Screenshots are saved under results/screenshots/ to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from pipeline import MIRROR, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "results" / "screenshots"
# Birmingham (one LA), Cumbria (a merged unit), City of London (tiny, much suppressed)
PAGES = ["index.html", "national.html", "la/330.html", "la/909.html", "la/201.html"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("needs Debian's chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def open_page(browser, path: Path):
    """The page at ``path`` with what it logged and requested: (page, errors, outside requests)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    own = path.as_uri()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            None if request.url == own or request.url.startswith(("data:", "blob:")) else outside.append(request.url)
        ),
    )
    page.route(re.compile(r"^https?://"), lambda route: route.abort())  # nothing reaches a network
    page.goto(own, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, errors, outside


@pytest.mark.parametrize("name", PAGES)
def test_a_page_loads_whole_and_offline(project, browser, name):
    page, errors, outside = open_page(browser, project / "results" / "reports" / name)
    images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt])")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (name.replace("/", "_").removesuffix(".html") + ".png")), full_page=True)
    page.close()
    assert errors == []
    assert outside == []
    assert all(complete and width > 0 for complete, width, _ in images), images
    if name.startswith("la/"):
        assert len(images) == 10 and all(alt for *_, alt in images)
    if name == "national.html":  # four national figures and five of the models, each described
        assert len(images) == 9 and all(len(alt) > 40 for *_, alt in images)


def column(page, number: int) -> list[str]:
    return page.locator(f"#profiles tbody tr td:nth-child({number})").all_inner_texts()


def sort(page, number: int, direction: str) -> list[str]:
    """Click heading ``number`` (1-based) and wait for DataTables to sort it ``direction``; the column."""
    page.locator("#profiles thead th").nth(number - 1).click()
    page.wait_for_function(
        "([n, d]) => document.querySelectorAll('#profiles thead th')[n - 1].getAttribute('aria-sort') === d",
        arg=[number, direction],
    )
    return column(page, number)


def rows(page, count: int) -> None:
    """Wait for DataTables to show ``count`` rows (it filters after the input event)."""
    page.wait_for_function("(n) => document.querySelectorAll('#profiles tbody tr').length === n", arg=count)


def amount(text: str) -> float:
    return float(re.sub(r"[£,%+]", "", text))


def test_the_index_sorts_and_filters(project, browser):
    page, errors, _ = open_page(browser, project / "results" / "reports" / "index.html")
    assert page.locator("#profiles tbody tr").count() == 148
    ascending = [amount(t) for t in sort(page, 3, "ascending") if t.strip()]  # spending per child
    descending = [amount(t) for t in sort(page, 3, "descending") if t.strip()]
    page.screenshot(path=str(SHOTS / "index_sorted.png"))
    assert ascending == sorted(ascending) and len(ascending) > 140
    assert descending == sorted(descending, reverse=True)
    index = pd.read_csv(project / "results" / "profiles" / "index.csv", dtype=str)
    north_east = int((index["region_name"] == "North East").sum())
    region = page.locator("#profiles tfoot input").nth(1)  # the Region column's filter, typed key by key
    region.press_sequentially("North East")
    rows(page, north_east)
    assert set(column(page, 2)) == {"North East"}
    region.fill("")
    region.press("Backspace")
    rows(page, 148)
    page.locator("input[type=search]").fill("Birmingham")  # the search box, over every column
    rows(page, 1)
    assert column(page, 1) == ["Birmingham"]
    first = page.locator("#profiles tbody tr td:nth-child(1) a").first
    href = first.get_attribute("href")
    assert re.fullmatch(r"la/\d{3}\.html", href) and (project / "results" / "reports" / href).is_file()
    page.close()
    assert errors == []
