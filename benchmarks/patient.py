"""What a patient waits for: time to text, time to interactive and bytes moved, in headless Chromium.

The course's pages are served by the course's server (``widgets.serve``: the repo's ``voila.json``,
compression, a versioned front end); the baseline is a bare Voila page (a heading,
a line of text and one slider) served by plain ``voila`` with Voila's defaults, in the same run.

- Time to text: navigation start until the page's first heading is visible (``checkVisibility``),
  read from the page's own clock.
- Time to interactive: until every widget has its view (no placeholder left) and at least one
  view is attached.
- Transfer: the bytes of every HTTP response on a first visit (fresh context, empty cache), and on
  a repeat visit (the same context, navigated again).
- A slow mobile network: Chromium's network emulation with Lighthouse's "slow 4G" figures
  (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up).

Each visit waits until the server is idle (its earlier visitors' kernels have settled), as on a
quiet site; the load test measures a busy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import median

import nbformat
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from benchmarks.browser import chromium
from benchmarks.core import Row
from benchmarks.notebooks import BASELINES, new_notebook
from tests.servers import Server, voila_server, wait_until_idle

PAGES = ["00-start-here.ipynb", "04a-acupuncture.ipynb", "03-biopsychosocial.ipynb", "07-your-choice.ipynb"]
MOBILE_PAGES = PAGES[:2]
BASELINE = "text-slider.ipynb"
# Lighthouse's simulated "slow 4G" (its mobile default): round trip, download and upload.
SLOW_MOBILE = {"latency_ms": 150, "down_kbit": 1600, "up_kbit": 750}
MOBILE_LABEL = (f"slow mobile ({SLOW_MOBILE['latency_ms']} ms, {SLOW_MOBILE['down_kbit'] / 1000:g} / "
                f"{SLOW_MOBILE['up_kbit'] / 1000:g} Mbit/s)")
MB = 1_000_000
FAILED: list[str] = []  # visits that did not complete, reported under the table

TEXT = """() => { const el = document.querySelector('h1');
  return el && el.checkVisibility({visibilityProperty: true, opacityProperty: true})
    && el.getBoundingClientRect().height > 0 ? performance.now() : false; }"""
INTERACTIVE = """() => document.querySelector('.jp-OutputArea-output > .lm-Widget')
  && !document.querySelector('.lbp-pending') ? performance.now() : false"""
BYTES = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .reduce((total, entry) => total + entry.transferSize, 0)"""


@dataclass
class Visit:
    """One page load as a patient makes it."""

    text_s: float
    interactive_s: float
    first_mb: float
    repeat_mb: float


def write_baseline(folder: Path) -> Path:
    """The bare page: a heading and a line of text, then one slider."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(BASELINES["slider.ipynb"])
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# A bare page\n\nOne line of text, then one slider."))
    nbformat.write(nb, folder / BASELINE)
    return folder


def visit(browser: Browser, url: str, mobile: bool = False, timeout_ms: float = 120_000) -> Visit:
    """A first visit in a fresh context, then a repeat visit in the same one."""
    context = browser.new_context()
    try:
        page = context.new_page()
        if mobile:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": SLOW_MOBILE["latency_ms"],
                "downloadThroughput": SLOW_MOBILE["down_kbit"] * 1000 / 8,
                "uploadThroughput": SLOW_MOBILE["up_kbit"] * 1000 / 8,
            })
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        text = page.wait_for_function(TEXT, polling="raf", timeout=timeout_ms).json_value()
        ready = page.wait_for_function(INTERACTIVE, polling="raf", timeout=timeout_ms).json_value()
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        first = page.evaluate(BYTES)
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        page.wait_for_function(INTERACTIVE, polling="raf", timeout=timeout_ms)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        repeat = page.evaluate(BYTES)
        return Visit(text / 1000, ready / 1000, first / MB, repeat / MB)
    finally:
        context.close()


def medians(visits: list[Visit]) -> Visit:
    """Each figure's median over ``visits``."""
    return Visit(*(median(getattr(v, f) for v in visits) for f in ("text_s", "interactive_s",
                                                                      "first_mb", "repeat_mb")))


def measure_server(browser: Browser, server: Server, names: list[str], reps: int, warmup: int,
                   mobile: bool) -> dict[str, Visit]:
    """The median visit of each page, each made when the server is idle."""
    found = {}
    for name in names:
        visits = []
        for _ in range(reps + warmup):
            wait_until_idle(server)
            try:
                visits.append(visit(browser, f"{server.url}/voila/render/{name}", mobile))
            except PlaywrightError as err:  # one stuck visit must not cost the other rows
                FAILED.append(f"{name}{' (mobile)' if mobile else ''}: {str(err).splitlines()[0][:100]}")
        if len(visits) > warmup:
            found[name] = medians(visits[warmup:])
        elif visits:
            found[name] = medians(visits)
    return found


def measure(lesson_dir: Path, baseline_dir: Path, reps: int, warmup: int, quick: bool = False) -> list[Row]:
    """Every row of the patient view, the bare page measured in the same run (``quick``: one page)."""
    pages, mobile_pages = (PAGES[:1], MOBILE_PAGES[:1]) if quick else (PAGES, MOBILE_PAGES)
    write_baseline(baseline_dir)
    rows: list[Row] = []
    with chromium() as browser:
        with voila_server(baseline_dir, bare=True) as server:
            bare = measure_server(browser, server, [BASELINE], reps, warmup, False)[BASELINE]
            bare_mobile = measure_server(browser, server, [BASELINE], reps, warmup, True)[BASELINE]
        with voila_server(lesson_dir) as server:
            course = measure_server(browser, server, pages, reps, warmup, False)
            mobile = measure_server(browser, server, mobile_pages, reps, warmup, True)
    if FAILED:
        rows.append(Row("patient: visits that did not complete", f"{len(FAILED)} visits", None, "",
                        note="; ".join(FAILED[:3])))
    for name, v in course.items():
        rows += [
            Row("patient: time to text, loopback", name, v.text_s, "s", baseline=bare.text_s,
                max_ratio=0.25, max_value=0.5),
            Row("patient: time to interactive, loopback", name, v.interactive_s, "s",
                baseline=bare.interactive_s, max_ratio=1.3),
            Row("patient: transfer, first visit", name, v.first_mb, "MB", baseline=bare.first_mb,
                max_value=1.5),
            Row("patient: transfer, repeat visit", name, v.repeat_mb, "MB", baseline=bare.repeat_mb,
                max_value=0.2),
        ]
    for name, v in mobile.items():
        rows += [
            Row(f"patient: time to text, {MOBILE_LABEL}", name, v.text_s, "s", baseline=bare_mobile.text_s,
                max_value=1.5),
            Row(f"patient: time to interactive, {MOBILE_LABEL}", name, v.interactive_s, "s",
                baseline=bare_mobile.interactive_s),
        ]
    return rows
