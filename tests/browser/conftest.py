"""Browser test fixtures: one Voila server and one Chromium per session, a fresh context per test.

Every page of the course is tested: the lessons of the manifest (a lesson listed but missing
fails) and the widget gallery.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.lesson_page import LESSONS, REPO, Visit, open_page, save_report
from tests.servers import CHROMIUM, CHROMIUM_ARGS, Server, voila_server
from widgets.course import course

GALLERY = "widget-gallery.ipynb"
LESSON_FILES = [lesson.file for lesson in course().lessons]
PAGES = [*LESSON_FILES, GALLERY]
HOME = course().lessons[0].file
REPORT = REPO / "test-artifacts" / "browser-report.json"

_report: dict[str, dict] = {}


@pytest.fixture(scope="session")
def voila() -> Iterator[Server]:
    """The course served by Voila exactly as `make start` serves it (repo config, lessons/)."""
    # The tests open a few hundred pages in minutes, and Voila's close-on-unload request is refused
    # (403, no _xsrf), so each page's kernel lingers until culled: lift the session limit here.
    # tests/test_serve.py and the load test check the limit itself.
    with voila_server(LESSONS, "--CourseVoila.max_sessions=100000") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies or storage shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def require_page(page_file: str) -> None:
    """A page listed in the manifest must exist: fail (never skip) when it does not."""
    if not (LESSONS / page_file).is_file():
        pytest.fail(f"lessons/{page_file} is listed in widgets/data/course.yaml but does not exist")


@pytest.fixture
def visit_page(page: Page, voila: Server):
    """Open a course page in this test's fresh page; fails if the page is missing."""

    def visit(page_file: str) -> Visit:
        require_page(page_file)
        return open_page(page, voila.url, page_file)

    return visit


def record(page_file: str, **values: object) -> None:
    """Add measurements to the per-page report (test-artifacts/browser-report.json)."""
    _report.setdefault(page_file, {"page": page_file}).update(values)
    save_report([_report[p] for p in PAGES if p in _report], REPORT)


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the per-page table: load time, widget views, all widgets, axe result."""
    if not _report:
        return
    terminalreporter.section("course pages in Voila")
    header = f"{'page':34} {'load s':>7} {'views':>6} {'widgets':>8}  axe serious+critical"
    terminalreporter.write_line(header)
    for page_file in PAGES:
        if (row := _report.get(page_file)) is None:
            continue
        load = row.get("load_seconds")
        load_text = "-" if load is None else f"{load:.2f}"
        views, widgets, axe = (row.get(key, "-") for key in ("rendered_views", "all_widgets", "axe"))
        terminalreporter.write_line(f"{page_file:34} {load_text:>7} {views!s:>6} {widgets!s:>8}  {axe}")
