"""The opt-in progress box in JupyterLab, as a student uses it: a real JupyterLab server and Chromium.

The course home runs in JupyterLab (Run All Cells); the student ticks the box, answers a question
and checks it: the progress file appears in their lessons folder with that question in it. A copy
of the lessons is served, so the checkout's own folder is never written.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.servers import BIN, REPO, free_port, hermetic_env, stop, wait_for_http
from widgets.progress import PROGRESS_FILE

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOME = "00-start-here.ipynb"


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a copy of the lessons: (URL with token, the lessons folder)."""
    lessons = tmp_path / "lessons"
    shutil.copytree(REPO / "lessons", lessons)
    port, token = free_port(), secrets.token_hex(16)
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={lessons}", "--allow-root"],
        cwd=lessons, env=hermetic_env(tmp_path / "home"), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/api/status?token={token}", 120, proc)
        yield f"{url}/lab/tree/{HOME}?token={token}", lessons
    finally:
        stop(proc)
        log.close()


def stored(path: Path, timeout: float = 30) -> dict:
    """The progress file's content, once it has been written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        time.sleep(0.2)
    raise AssertionError(f"{path.name} was not written within {timeout} s")


def run_all(page: Page, shown: Locator) -> None:
    """Run All Cells from the Run menu, as a student does, until ``shown`` appears.

    On a busy machine JupyterLab sometimes drops the command while the page's kernel session is
    still settling: it asks which kernel to use although one runs, or runs nothing. A student then
    answers "Select", or reloads the page, and runs again; so does this, up to three times.
    """
    dialog = page.locator(".jp-Dialog")
    for _attempt in range(3):
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        with contextlib.suppress(PlaywrightTimeout):
            shown.or_(dialog).first.wait_for(timeout=45_000)
        if shown.count():
            return
        if dialog.count():
            page.get_by_role("button", name="Select", exact=True).click()
            dialog.wait_for(state="detached")
        page.reload(timeout=120_000)
    raise AssertionError("Run All Cells did not run the course home")


def test_a_student_keeps_progress_only_after_ticking_the_box(page: Page, lab: tuple[str, Path]) -> None:
    url, lessons = lab
    progress = lessons / PROGRESS_FILE
    page.goto(url, timeout=120_000)
    page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
    box = page.locator(".lbp-progress-box input[type='checkbox']")
    run_all(page, box)
    note = page.locator(".lbp-progress-note")
    expect(note).to_contain_text("Progress is off, and nothing is stored")
    assert not progress.exists(), "progress was stored before the box was ticked"

    box.check()
    expect(note).to_contain_text("Progress is on")
    assert stored(progress) == {"version": 1, "on": True, "questions": {}}

    # Answer the home page's first question and check it: the file notes it.
    question = page.locator(".lbp-quiz-question").first
    question.locator("input[type='radio']").first.check()
    question.locator(".lbp-quiz-check").click()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not stored(progress)["questions"]:
        time.sleep(0.2)
    noted = stored(progress)["questions"]
    assert len(noted) == 1 and next(iter(noted)).startswith("start-here/"), noted
    assert next(iter(noted.values()))["attempts"] == 1

    box.uncheck()
    expect(note).to_contain_text("Progress is off")
    assert stored(progress)["on"] is False
