"""Every course page in Voila, in one load: it loads, its widgets render, it shows no code and no
error, the console stays clean, it talks to nobody but the Voila server, it links to the previous
lesson, the course home and the next lesson. Then, at 1280, 768, 390 and 360 px: no sideways
scroll or cut-off content, targets of at least 24 px, a language attribute and one main landmark,
and axe-core with the WCAG 2.2 AA rules (target-size included) finds no serious or critical
violation. The text a patient reads in the widgets scores Flesch-Kincaid grade 8 or below, and the
student register is closed. A full-page screenshot per width is kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LESSON_FILES, PAGES, record
from tests.browser.lesson_page import (
    ERROR_TEXTS,
    PATIENT_WIDGET_TEXT,
    STATUS,
    WIDTHS,
    as_sentences,
    code_lines,
    layout_problems,
    only_server,
    overlaps,
    run_axe,
    screenshot,
)
from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets.course import course

pytestmark = pytest.mark.browser


def nav_targets(page_file: str) -> list[str]:
    """The lessons a page must link to: previous, course home and next (relative links)."""
    if page_file not in LESSON_FILES:  # the gallery is not part of the lesson sequence
        return []
    return re.findall(r"\]\(([^)]+\.ipynb)\)", course().nav_markdown(page_file))


@pytest.mark.parametrize("page_file", PAGES)
def test_page_is_clean_and_accessible(page_file, page, voila, visit_page):
    visit = visit_page(page_file)
    problems = []
    if visit.ready_error:
        problems.append(
            f"widgets did not all render ({visit.rendered_views} of {visit.expected_views} views): "
            f"{visit.ready_error}"
        )
    if visit.expected_views == 0:
        problems.append("the page shows no widget at all (every lesson has at least one)")
    problems += [f"error text on the page: {text!r}" for text in ERROR_TEXTS if text in visit.text]
    if page.locator(".lbp-error-text, [data-mime-type='application/vnd.jupyter.stderr']").count():
        problems.append("an error box or stderr output is shown")
    problems += [f"code is visible: {line!r}" for line in code_lines(page_file) if line in visit.text][:3]
    if page.locator(".jp-InputArea-editor, .cm-editor").count():
        problems.append("a code editor is on the page")
    problems += [f"console error: {msg}" for msg in visit.console_errors]
    problems += [f"request beyond the Voila server: {url}" for url in only_server(visit.requests, voila.url)]
    problems += [f"no link to {target} (previous, home or next)" for target in nav_targets(page_file)
                 if target not in visit.links]
    if not visit.ready_error:  # text first: every placeholder goes, and the status line says so
        if page.locator(".lbp-pending").count():
            problems.append("a widget placeholder stayed after its widget arrived")
        if "ready" not in page.locator(STATUS).inner_text():
            problems.append(f"the status line says {page.locator(STATUS).inner_text()!r}, not ready")
    if page.locator("details.lbp-students[open]").count():
        problems.append("a 'For students' section is open on arrival")
    for text in page.evaluate(PATIENT_WIDGET_TEXT):
        if len(text.split()) >= 30 and (grade := fk_grade(as_sentences(text))) > MAX_PATIENT_GRADE:
            problems.append(f"widget text at grade {grade:.1f}: {text[:80]!r}")
    axe_found: dict[int, list[str]] = {}
    shots = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width} px: {p}" for p in layout_problems(page)]
        violations = run_axe(page) if not visit.ready_error else []
        axe_found[width] = [v["id"] for v in violations]
        problems += [f"{width} px: axe-core {v['impact']} {v['id']}: {v['help']} at {v['targets']}"
                     for v in violations]
        shots.append(str(screenshot(page, page_file, f"-{width}")))
    record(
        page_file, axe=" ".join(f"{w}:{len(ids)}" + (f"({','.join(ids)})" if ids else "")
                                for w, ids in axe_found.items()),
        load_seconds=round(visit.load_seconds, 2), rendered_views=visit.rendered_views,
        expected_views=visit.expected_views, all_widgets=visit.all_widgets, widgets=visit.hooks,
        screenshots=shots,
    )
    assert not problems, f"{page_file}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(("shift", "overlapping"), [("0", False), ("-1.4em", True)])
def test_the_overlap_check_sees_text_covering_text(page, shift: str, overlapping: bool) -> None:
    """The check in every page's layout test can fail: a paragraph pulled up over the one before."""
    page.set_content(f"""<main id="rendered_cells"><p style="line-height: 1.5">The first line of text.</p>
        <p style="margin-top: {shift}">A second paragraph.</p>
        <p><button>Check answer</button> <label><input type="radio"> An option</label></p></main>""")
    found = overlaps(page)
    assert bool(found) == overlapping, found
