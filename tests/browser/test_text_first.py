"""Text first: a lesson's text is readable before Voila's front end and the kernel are ready.

The front end (``voila.js``) is blocked here, as on a slow phone before it has arrived: the text
must be visible, each widget's place shows a placeholder, a status line tells screen readers that
the interactive parts are loading, and no spinner hides the page. The results of code cells that
are text (markdown or HTML) are rendered by the server, so they show too. (Loaded normally, every page
loses its placeholders and says it is ready: ``test_pages``.) Nothing here is timed: the
benchmarks time it (``python -m benchmarks --only patient``).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.lesson_page import RENDERED_VIEWS, STATUS, page_url

pytestmark = pytest.mark.browser

PAGES = ["00-start-here.ipynb", "04a-acupuncture.ipynb"]


@pytest.mark.parametrize("page_file", PAGES)
def test_text_shows_before_the_front_end_loads(page_file, page, voila):
    page.route(re.compile(r".*/voila\.js(\?.*)?$"), lambda route: route.abort())
    page.goto(page_url(voila.url, page_file), wait_until="load")
    assert page.locator("h1").first.is_visible(), f"{page_file}: the title is hidden"
    prose = page.locator("#rendered_cells p").first
    assert prose.is_visible() and len(prose.inner_text().split()) >= 5, f"{page_file}: no visible prose"
    # Results of code cells in words (the plain-words summary, evidence tables) are text too.
    results = page.locator(".jp-OutputArea-output[data-mime-type='text/markdown']")
    assert results.count() >= 1 and results.first.is_visible(), f"{page_file}: no code-cell text shows"
    assert page.locator("script[type='application/vnd.voila.cell-output+json']").evaluate_all(
        "els => els.filter(e => /text\\/(markdown|html)/.test(e.textContent)"
        " && !e.textContent.includes('widget-view')).length") == 0, "text left for the front end"
    assert page.locator(RENDERED_VIEWS).count() == 0, "a widget rendered without the front end?"
    placeholders = page.locator(".lbp-pending")
    assert placeholders.count() >= 1, f"{page_file}: no placeholder"
    hidden = page.evaluate("""() => [...document.querySelectorAll('.lbp-pending')]
        .filter(p => !p.closest('details:not([open])') && !p.checkVisibility()).length""")
    assert hidden == 0, f"{page_file}: {hidden} placeholders outside closed sections are not shown"
    assert "loading" in page.locator(STATUS).inner_text(), f"{page_file}: no loading status"
    assert page.locator("#loading").count() == 0, f"{page_file}: a spinner is on the page"
