"""The take-away in Voila: tick two treatments, print, and get only the list, on one page."""

from __future__ import annotations

import re
import zlib

import pytest
from playwright.sync_api import Page

from tests.browser.lesson_page import CHANGE_TIMEOUT_MS, MIN_TARGET_PX, run_axe, screenshot

pytestmark = pytest.mark.browser

LESSON = "07-your-choice.ipynb"
TICK = ("Massage", "Walking and staying active")


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF (``/Type /Page``, not the ``/Pages`` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pdf_text_runs(pdf: bytes) -> int:
    """Text-showing operators (Tj, TJ) in the PDF's compressed content streams: 0 for a blank print."""
    runs = 0
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            runs += len(re.findall(rb"\bT[Jj]\b", zlib.decompress(match.group(1))))
        except zlib.error:
            continue  # an image or a font, not page content
    return runs


def visible(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].some(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
        })""", selector))


def test_the_printout_is_only_the_list_on_one_page(page: Page, visit_page) -> None:
    visit = visit_page(LESSON)
    assert not visit.ready_error, visit.ready_error
    take = page.locator(".lbp-takeaway")
    assert take.count() == 1
    for name in TICK:
        box = take.get_by_label(name, exact=True)
        size = box.bounding_box()
        assert size and size["width"] >= MIN_TARGET_PX and size["height"] >= MIN_TARGET_PX, (name, size)
        box.check()
    page.wait_for_function(
        "() => document.querySelectorAll('.lbp-takeaway-sheet .lbp-takeaway-item').length === 2",
        timeout=CHANGE_TIMEOUT_MS,
    )
    sheet = page.locator(".lbp-takeaway-sheet")
    assert "What are my options?" in sheet.inner_text()
    problems = [v for v in run_axe(page) if any("lbp-takeaway" in t for t in v["targets"])]
    assert problems == [], problems

    # The button is a real <button>: its onclick runs in Voila (print itself is stubbed here).
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.locator("button.lbp-takeaway-print-button").click()
    assert page.evaluate("() => window.__printed") == 1

    page.emulate_media(media="print")
    assert visible(page, ".lbp-takeaway-sheet")
    assert visible(page, ".lbp-takeaway-item")
    for hidden in ("#rendered_cells h1",  # the lesson's title
                   "#rendered_cells .jp-MarkdownOutput",  # all lesson prose and navigation
                   ".lbp-explorer", ".lbp-quiz",  # the other widgets
                   ".lbp-takeaway-option", "button.lbp-takeaway-print-button"):
        assert not visible(page, hidden), f"{hidden} is printed"
    text = page.inner_text("body")
    assert "Making your own choice" not in text and "Check your understanding" not in text
    assert "My list for the appointment" in text
    screenshot(page, "takeaway-print")

    pdf = page.pdf(print_background=False)
    pages = pdf_pages(pdf)
    assert pages == 1, f"the printout of two treatments takes {pages} pages"
    # Voila's shell is a fixed-height box that clips: a print that forgets it comes out blank.
    assert pdf_text_runs(pdf) > 100, "the printed page is blank"
