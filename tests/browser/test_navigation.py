"""Course navigation in Voila: the server's root and folder pages lead to the course home (never a
file list), the home page carries the privacy note, and lesson links move between Voila pages.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import HOME, require_page
from tests.browser.lesson_page import RENDERED_VIEWS, page_url
from widgets.course import course

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("start", ["/", "/voila/tree", "/voila/tree/"])
def test_root_and_folder_pages_lead_to_the_course_home(start, page, voila):
    require_page(HOME)
    page.goto(voila.url + start)
    page.wait_for_url(page_url(voila.url, HOME), timeout=30_000)
    assert "voila-notebooks" not in page.content(), "a Voila file list was shown"


def test_home_page_says_nothing_is_stored(page, voila):
    require_page(HOME)
    page.goto(page_url(voila.url, HOME))
    page.wait_for_selector(RENDERED_VIEWS, state="attached", timeout=60_000)
    text = page.inner_text("body")
    assert re.search(r"(nothing|not)\b[^.]{0,60}\b(stored|saved|kept|recorded)", text, re.I), (
        "the course home does not say that nothing is stored"
    )
    assert re.search(r"(personal|private)[^.]{0,40}(health|medical|details|information)", text, re.I), (
        "the course home does not ask people to keep personal health details out"
    )


def test_links_move_between_lessons_in_voila(page, voila):
    """Home -> next lesson -> back to the course home, by clicking the lessons' own links."""
    second = course().lessons[1].file
    require_page(HOME)
    require_page(second)
    page.goto(page_url(voila.url, HOME))
    page.locator(f"a[href='{second}']").first.click()
    page.wait_for_url(page_url(voila.url, second), timeout=30_000)
    page.wait_for_selector(RENDERED_VIEWS, state="attached", timeout=60_000)
    page.locator(f"a[href='{HOME}']").first.click()
    page.wait_for_url(page_url(voila.url, HOME), timeout=30_000)


def test_private_files_are_not_served(page, voila):
    """Notebook sources and Python files are not downloadable from the Voila server."""
    for path in (f"/voila/files/{HOME}", "/voila/files/../widgets/answers.py", "/voila/files/../voila.json"):
        response = page.request.get(voila.url + path)
        assert response.status in (403, 404), f"{path} answered {response.status}"
