"""nbgrader autograde: each assignment against a one-cell assignment, and a class of 100 submissions.

Runs the real ``nbgrader`` command (what instructors run) in a scratch copy of ``assessments/``.
Each submission is the assignment's source notebooks (the instructor's solution), so every
test runs; the CLI start-up (~2 s) is part of every per-submission time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat

from benchmarks.core import REPO, Row, median_time
from tests.servers import BIN, hermetic_env

COURSE = REPO / "assessments"
BASELINE = "one-cell"


def one_cell_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("assert 1 + 1 == 2")
    cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": "only-test", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def assignments() -> list[str]:
    return sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir()) if COURSE.exists() else []


class ScratchCourse:
    """A copy of the nbgrader course in a temporary folder, with a one-cell baseline assignment."""

    def __init__(self, root: Path) -> None:
        self.root = root / "course"
        shutil.copytree(COURSE, self.root, ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "exchange", "gradebook.db", "__pycache__"))
        (self.root / "source" / BASELINE).mkdir(parents=True)
        nbformat.write(one_cell_notebook(), self.root / "source" / BASELINE / "one.ipynb")
        self.env = hermetic_env(root / "home")
        self.env["PATH"] = f"{BIN}:{self.env.get('PATH', '')}"  # nbgrader runs `alembic` from PATH

    def nbgrader(self, *args: str) -> float:
        start = time.perf_counter()
        done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed: {done.stderr[-800:]}")
        return time.perf_counter() - start

    def submit(self, assignment: str, student: str) -> None:
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for nb in (self.root / "source" / assignment).glob("*.ipynb"):
            shutil.copy(nb, folder / nb.name)


def measure(reps: int, warmup: int, class_size: int) -> list[Row]:
    names = assignments()
    if not names:
        return [Row("autograde per submission", "no assignments yet", None, "s")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lbp-grading-") as tmp:
        course = ScratchCourse(Path(tmp))
        per_submission: dict[str, float] = {}
        for assignment in [BASELINE, *names]:
            course.nbgrader("generate_assignment", assignment, "--force")
            students = iter(f"s{k:03d}" for k in range(reps + warmup))

            def grade_one(assignment: str = assignment, students=students) -> float:
                student = next(students)
                course.submit(assignment, student)
                return course.nbgrader("autograde", assignment, "--student", student, "--force")

            per_submission[assignment] = median_time(grade_one, reps, warmup)
        base = per_submission.pop(BASELINE)
        for assignment, seconds in per_submission.items():
            rows.append(
                Row("autograde per submission", assignment, seconds, "s", baseline=base, max_ratio=1.5)
            )
        heavy = min(per_submission, key=per_submission.get)  # the lightest: bounds the run time
        for k in range(class_size):
            course.submit(heavy, f"c{k:03d}")
        seconds = course.nbgrader("autograde", heavy, "--force")
        total = class_size + reps + warmup  # the class plus the students graded above
        rows.append(Row("class-scale grading", f"{heavy}: {total} submissions, one command",
                        total / seconds * 60, "per min",
                        note=f"{seconds:.0f} s in all, {seconds / total:.2f} s each"))
        rows.append(parallel_row(course, heavy, class_size))
    return rows


def parallel_row(course: ScratchCourse, assignment: str, class_size: int) -> Row:
    """The same class graded by one worker process, then by one per core (instructor.py's way)."""
    from assessments.parallel_grade import grade_class

    cores = os.cpu_count() or 1
    per_minute: dict[int, float] = {}
    saved = os.environ.copy()
    os.environ.update(course.env)  # the workers run nbgrader in the scratch course, as the CLI does
    try:
        for workers in (1, cores):
            students = [f"p{workers}-{k:03d}" for k in range(class_size)]
            for student in students:
                course.submit(assignment, student)
            start = time.perf_counter()
            outcomes = grade_class(assignment, students, workers=workers, root=course.root, progress=False)
            seconds = time.perf_counter() - start
            failed = [s for s, o in outcomes.items() if not o.ok]
            if failed:
                raise RuntimeError(f"parallel autograde failed for {failed[:3]}")
            per_minute[workers] = class_size / seconds * 60
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Row("parallel autograde", f"{assignment}: {class_size} submissions on {cores} processes",
               per_minute[cores], "per min", baseline=per_minute[1], min_ratio=1.8,
               note=f"one process: {per_minute[1]:.1f} per min")
