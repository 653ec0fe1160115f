"""Every course page in Voila, in one load: it loads, its widgets render, it shows no code and no
error, the console stays clean, it talks to nobody but the Voila server, it links to the previous
lesson, the course home and the next lesson, and axe-core finds no serious or critical
accessibility violation. A full-page screenshot of each is kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LESSON_FILES, PAGES, record
from tests.browser.lesson_page import ERROR_TEXTS, code_lines, only_server, run_axe, screenshot
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
    shot = screenshot(page, page_file)
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
    violations = run_axe(page) if not visit.ready_error else []
    problems += [f"axe-core {v['impact']} {v['id']}: {v['help']} at {v['targets']}" for v in violations]
    record(
        page_file, axe=f"{len(violations)} ({', '.join(v['id'] for v in violations) or 'none'})",
        load_seconds=round(visit.load_seconds, 2), rendered_views=visit.rendered_views,
        expected_views=visit.expected_views, all_widgets=visit.all_widgets, widgets=visit.hooks,
        screenshot=str(shot),
    )
    assert not problems, f"{page_file}:\n  " + "\n  ".join(problems)
