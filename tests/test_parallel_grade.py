"""Parallel autograde keeps every grade it can: a submission that kills its grading process and one
that hangs are reported and left ungraded; every other student gets their exact score. And a test
cell's result counts only as a score from 0 to its points: a submission that makes a scoring helper
return too much, a negative number or a string gets 0 for it, and is still graded.

A one-question assignment in a scratch copy of the course (its real nbgrader config), graded by
real worker processes running nbgrader's autograde against a real gradebook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from assessments.parallel_grade import grade_class
from tests.grading_support import COURSE

pytestmark = pytest.mark.grading

NAME = "mini"
ANSWER = "answer = {value}\n"
KILLER = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)  # the process grading this submission\n"
HANG = "import time\ntime.sleep(3600)\n"
# student -> (code put in the answer cell, expected points or None for "not graded")
CLASS = {
    "s1-right": (ANSWER.format(value=42), 1.0),
    "s2-wrong": (ANSWER.format(value=7), 0.0),
    "s3-killer": (KILLER, None),
    "s4-hang": (HANG, None),
    "s5-right": (ANSWER.format(value=42), 1.0),
    "s6-wrong": (ANSWER.format(value=0), 0.0),
}


# A scored test: its last value is the points from a module's function, as the course's
# widget-graded tests end (with widgets.grading's helpers), which a student cell can replace.
SCORED_TEST = "import statistics\nstatistics.fmean([1.0 if answer == 42 else 0.5 if answer == 21 else 0.0])"
# student -> (answer cell code, expected points)
HOSTILE = {
    "h1-right": (ANSWER.format(value=42), 1.0),
    "h2-half": (ANSWER.format(value=21), 0.5),
    # Each replaces the scoring function the hidden test calls.
    "h3-too-much": ("answer = 0\nimport statistics\nstatistics.fmean = lambda *a: 5", 0.0),
    "h4-negative": ("answer = 0\nimport statistics\nstatistics.fmean = lambda *a: -1", 0.0),
    "h5-text": ("answer = 0\nimport statistics\nstatistics.fmean = lambda *a: 'full marks'", 0.0),
    "h6-nan": ("answer = 0\nimport statistics\nstatistics.fmean = lambda *a: float('nan')", 0.0),
}


def _source(test: str = "assert answer == 42") -> nbformat.NotebookNode:
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "answer", "locked": False,
                                   "schema_version": 3, "solution": True, "task": False}
    test = nbformat.v4.new_code_cell(test)
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test-answer", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    nb = nbformat.v4.new_notebook(cells=[answer, test])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test: str, submissions: dict[str, str]) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    for name in ("nbgrader_config.py", "instructor.py", "item_analysis.py", "parallel_grade.py"):
        shutil.copy(COURSE / name, root / name)
    (root / "source" / NAME).mkdir(parents=True)
    nbformat.write(_source(test), root / "source" / NAME / "mini.ipynb")
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    monkeypatch.setenv("LBP_CELL_TIMEOUT", "600")  # the hang is stopped by grade_class's own timeout
    monkeypatch.delenv("NBGRADER_DB_URL", raising=False)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", NAME, "--force"],
                   cwd=root, check=True, capture_output=True, timeout=300)
    release = nbformat.read(root / "release" / NAME / "mini.ipynb", as_version=4)
    for student, code in submissions.items():
        folder = root / "submitted" / student / NAME
        folder.mkdir(parents=True)
        release.cells[0].source = code
        nbformat.write(release, folder / "mini.ipynb")
    return root


@pytest.fixture()
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _course(tmp_path, monkeypatch, "assert answer == 42", {s: code for s, (code, _) in CLASS.items()})


def test_a_crash_and_a_hang_lose_no_other_grade(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nbgrader.api import Gradebook

    outcomes = grade_class(NAME, list(CLASS), workers=2, timeout=20, root=course)
    graded = {s: points is not None for s, (_, points) in CLASS.items()}
    assert {s: o.ok for s, o in outcomes.items()} == graded
    assert "stopped" in outcomes["s3-killer"].error and "not graded" in outcomes["s4-hang"].error
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (_, points) in CLASS.items():
            if points is not None:
                assert gb.find_submission(NAME, student).score == points, student
    progress = capsys.readouterr().out
    assert f"[{len(CLASS)}/{len(CLASS)}]" in progress and "left" in progress, progress


def test_a_faked_score_earns_nothing_and_the_submission_is_still_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbgrader.api import Gradebook

    root = _course(tmp_path, monkeypatch, SCORED_TEST, {s: code for s, (code, _) in HOSTILE.items()})
    outcomes = grade_class(NAME, list(HOSTILE), workers=2, timeout=60, root=root, progress=False)
    assert all(o.ok for o in outcomes.values()), {s: o.error for s, o in outcomes.items() if not o.ok}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {student: gb.find_submission(NAME, student).score for student in HOSTILE}
    assert scores == {student: points for student, (_, points) in HOSTILE.items()}
