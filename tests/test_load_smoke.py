"""Load smoke test: a few concurrent Voila sessions of the heaviest lesson render, then get culled.

The full run (30 sessions) is part of ``make bench`` (``python -m benchmarks --load``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.load import run_load
from benchmarks.notebooks import LESSONS, heaviest_lesson, write_baselines

SESSIONS = 3
CULL_TIMEOUT = 4


@pytest.mark.slow
def test_concurrent_sessions_render_and_idle_kernels_are_culled(tmp_path: Path) -> None:
    lesson = heaviest_lesson()
    if lesson is None:  # before the lessons exist, prove the harness on the baseline notebook
        folder, notebook = write_baselines(tmp_path / "baselines"), "slider.ipynb"
    else:  # the lesson alone: the run checks that nothing in the served folder changes
        folder, notebook = tmp_path / "lesson", lesson.name
        folder.mkdir()
        shutil.copy(LESSONS / lesson.name, folder / lesson.name)
    result = run_load(folder, notebook, SESSIONS, cull_timeout=CULL_TIMEOUT, time_limit=150)
    print(result.summary())
    assert result.errors == []
    assert result.busy_status == 503, "one visitor beyond the session limit did not get the busy page"
    assert "please try again in a minute" in result.busy_text
    assert result.written == [], f"sessions wrote files: {result.written}"
    assert result.rendered == SESSIONS
    assert all(models >= 1 for models in result.widget_models), "widget state did not arrive"
    assert len(result.kernel_mb) >= SESSIONS, "fewer kernels than sessions"
    assert result.cull_seconds is not None, f"{result.kernels_left} idle kernels were never culled"
    # Culling runs every second: allow the timeout, one interval and the kernel's shutdown.
    assert result.cull_seconds <= CULL_TIMEOUT + 10
