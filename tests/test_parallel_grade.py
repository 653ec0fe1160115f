"""Parallel autograde keeps every grade it can: a submission that kills its grading process and one
that hangs are reported and left ungraded; every other student gets their exact score.

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


def _source() -> nbformat.NotebookNode:
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "answer", "locked": False,
                                   "schema_version": 3, "solution": True, "task": False}
    test = nbformat.v4.new_code_cell("assert answer == 42")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test-answer", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    nb = nbformat.v4.new_notebook(cells=[answer, test])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture()
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    for name in ("nbgrader_config.py", "instructor.py", "item_analysis.py", "parallel_grade.py"):
        shutil.copy(COURSE / name, root / name)
    (root / "source" / NAME).mkdir(parents=True)
    nbformat.write(_source(), root / "source" / NAME / "mini.ipynb")
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    monkeypatch.setenv("LBP_CELL_TIMEOUT", "600")  # the hang is stopped by grade_class's own timeout
    monkeypatch.delenv("NBGRADER_DB_URL", raising=False)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", NAME, "--force"],
                   cwd=root, check=True, capture_output=True, timeout=300)
    release = nbformat.read(root / "release" / NAME / "mini.ipynb", as_version=4)
    for student, (code, _) in CLASS.items():
        folder = root / "submitted" / student / NAME
        folder.mkdir(parents=True)
        release.cells[0].source = code
        nbformat.write(release, folder / "mini.ipynb")
    return root


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
