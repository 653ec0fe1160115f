"""Browser measures in headless Chromium against a real Voila server.

- Time to interactive: navigation start until the last expected widget view is visible, read
  from the page's own clock (``performance.now()`` counts from navigation start).
- Interaction round trip: the user's input event (keydown or click, captured on the document)
  until the watched element's text changes, which needs the kernel's answer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from benchmarks.core import Row, median_time
from benchmarks.notebooks import new_notebook, probe_sources
from tests.servers import CHROMIUM, CHROMIUM_ARGS, voila_server

VISIBLE = """(n) => {
  const views = [...document.querySelectorAll('.jp-OutputArea-output > .lm-Widget')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
  return views.length >= n ? performance.now() : false;
}"""
INSTALL = """() => {
  if (window.__lbp) return;
  window.__lbp = {t0: 0, done: null};
  for (const type of ['keydown', 'click'])
    document.addEventListener(type, () => { window.__lbp.t0 = performance.now(); }, true);
}"""
# What a person sees change: the text, the values in input boxes, and drawn (SVG) charts.
WATCH = """(el) => {
  const seen = () => el.innerText + '|' + [...el.querySelectorAll('input')].map((i) => i.value).join(',')
    + '|' + [...el.querySelectorAll('svg')].map((g) => g.outerHTML).join('');
  const before = seen();
  window.__lbp.done = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 15000);
    const check = () => {
      if (seen() !== before) { obs.disconnect(); clearTimeout(timer); resolve(performance.now()); }
    };
    const obs = new MutationObserver(check);
    obs.observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
    el.addEventListener('input', check, true);
  });
}"""
ELAPSED = """async () => {
  const t1 = await window.__lbp.done;
  return t1 === null ? null : t1 - window.__lbp.t0;
}"""


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def time_to_interactive(browser: Browser, url: str, views: int, timeout_ms: float = 90_000) -> float:
    """Seconds from navigation start until ``views`` widget views are visible (fresh context)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        handle = page.wait_for_function(VISIBLE, arg=views, polling="raf", timeout=timeout_ms)
        return handle.json_value() / 1000
    finally:
        context.close()


def round_trip_ms(page: Page, watched: Locator, act: callable) -> float:
    """Milliseconds from the input event of ``act()`` until ``watched``'s text changes."""
    page.evaluate(INSTALL)
    watched.evaluate(WATCH)
    act()
    elapsed = page.evaluate(ELAPSED)
    if elapsed is None:
        raise TimeoutError("the page did not update within 15 s")
    time.sleep(0.2)  # spaced interactions, as a person makes them
    return elapsed


def open_page(browser: Browser, url: str, ready: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(url, timeout=90_000)
    page.wait_for_selector(ready, state="visible", timeout=90_000)
    return page


def measure_interactions(browser: Browser, base_url: str, reps: int, warmup: int) -> list[Row]:
    n = reps + warmup
    # Baseline: IntSlider -> Python -> Label.
    page = open_page(browser, f"{base_url}/voila/render/slider-label.ipynb", ".noUi-handle")
    page.locator(".noUi-handle").first.focus()
    out = page.locator(".lbp-bench-out").first
    press = lambda: page.keyboard.press("ArrowRight")  # noqa: E731
    base = median_time(lambda: round_trip_ms(page, out, press), reps, warmup)
    page.context.close()
    rows = []

    page = open_page(browser, f"{base_url}/voila/render/probe-slider.ipynb", ".lbp-slider .lbp-reveal")
    sliders = [page.locator(".lbp-slider").nth(i) for i in range(n)]
    it = iter(sliders)
    moved = median_time(lambda: _click(page, next(it), ".lbp-prediction-more"), reps, warmup)
    it = iter(sliders)
    revealed = median_time(lambda: _click(page, next(it), ".lbp-reveal"), reps, warmup)
    page.context.close()
    rows += [
        Row("interaction round trip", "EvidenceSlider: prediction moved", moved, "ms", baseline=base,
            max_ratio=1.2, max_value=100),
        Row("interaction round trip", "EvidenceSlider: reveal", revealed, "ms", baseline=base,
            max_ratio=1.2, max_value=100),
    ]

    page = open_page(browser, f"{base_url}/voila/render/probe-quiz.ipynb", ".lbp-quiz .lbp-quiz-check")
    questions = iter([page.locator(".lbp-quiz").nth(i).locator(".lbp-quiz-question").first for i in range(n)])

    def answer() -> float:
        question = next(questions)
        question.locator("input[type=radio]").first.check()
        time.sleep(0.3)  # let the choice reach the kernel; only the check is timed
        return _click(page, question, ".lbp-quiz-check")

    answered = median_time(answer, reps, warmup)
    page.context.close()
    rows.append(Row("interaction round trip", "Quiz: answer checked", answered, "ms", baseline=base,
                    max_ratio=1.2, max_value=100))
    rows.insert(0, Row("interaction round trip", "baseline: IntSlider → Label", base, "ms", max_value=100))
    return rows


def _click(page: Page, widget: Locator, button: str) -> float:
    return round_trip_ms(page, widget, lambda: widget.locator(button).first.click())


def measure(
    lesson_dir: Path, views: dict[str, int], baseline_dir: Path, reps: int, warmup: int
) -> list[Row]:
    """Time to interactive per lesson, and the interaction round trips."""
    for name, sources in probe_sources(reps + warmup).items():
        nbformat.write(new_notebook(sources), baseline_dir / name)
    rows: list[Row] = []
    with chromium() as browser:
        with voila_server(baseline_dir) as server:
            url = f"{server.url}/voila/render/slider.ipynb"
            base = median_time(lambda: time_to_interactive(browser, url, 1), reps, warmup)
            try:
                rows += measure_interactions(browser, server.url, reps, warmup)
            except Exception as err:
                note = f"{type(err).__name__}: {err}"
                rows.append(Row("interaction round trip", "all", None, "ms", note=note))
        with voila_server(lesson_dir) as server:
            for name, count in views.items():
                url = f"{server.url}/voila/render/{name}"
                try:
                    value = median_time(lambda url=url, count=count: time_to_interactive(browser, url, count),
                                        reps, warmup)
                    rows.append(Row("Voila time to interactive", f"{name} ({count} widgets)", value, "s",
                                    baseline=base, max_ratio=1.3))
                except Exception as err:
                    rows.append(Row("Voila time to interactive", name, None, "s",
                                    note=f"{type(err).__name__}: {str(err)[:100]}"))
    return rows
