"""Grades for Canvas and Moodle, from a real nbgrader gradebook, checked cell by cell.

Three students, two assignments; one student has not submitted the second one, one score needs
four decimals. Bad rosters and unfinished grading stop the export before anything is written.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from assessments.lms import ExportError, export, number, read_roster
from tests.grading_support import COURSE, new_gradebook

# A new nbgrader gradebook runs alembic in a subprocess (several seconds): kept out of `make test-fast`.
pytestmark = pytest.mark.grading

# assignment -> cell -> points; student -> assignment -> cell -> score (a missing assignment: no submission)
CELLS = {"evidence-appraisal": {"mcid": 2.0, "nnt": 3.0}, "treatment-choices": {"quiz": 4.0}}
SCORES = {
    "ana": {"evidence-appraisal": {"mcid": 2.0, "nnt": 1.5}, "treatment-choices": {"quiz": 4.0}},
    "ben": {"evidence-appraisal": {"mcid": 0.6667, "nnt": 0.0}, "treatment-choices": {"quiz": 1.0}},
    "cai": {"evidence-appraisal": {"mcid": 1.0, "nnt": 3.0}},
}
ROSTER = """student,name,canvas_id,sis_user_id,sis_login_id,section,email,idnumber
ana,"Ana Lima",1001,S-1,ana.lima,Tue lab,ana@example.edu,2301
ben,"Ben Okafor",1002,S-2,ben.okafor,Tue lab,ben@example.edu,2302
cai,"Cai Wen",1003,S-3,cai.wen,Thu lab,cai@example.edu,2303
"""


def _fill(db_url: str, waiting: str | None = None) -> None:
    with new_gradebook(db_url) as gb:
        for assignment, cells in CELLS.items():
            gb.add_assignment(assignment)
            gb.add_notebook("nb", assignment)
            for cell, points in cells.items():
                gb.add_grade_cell(cell, "nb", assignment, max_score=points, cell_type="code")
        for student, assignments in SCORES.items():
            gb.add_student(student)
            for assignment, scores in assignments.items():
                with gb.db.no_autoflush:  # nbgrader builds the submission before adding it to the session
                    gb.add_submission(assignment, student)
                for cell, score in scores.items():
                    grade = gb.find_grade(cell, "nb", assignment, student)
                    grade.auto_score = score
                    grade.needs_manual_grade = waiting == f"{student}/{assignment}"
        gb.db.commit()


@pytest.fixture(scope="module")
def gradebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A graded class, and the same class with one submission still to be graded by hand."""
    folder = tmp_path_factory.mktemp("lms")
    urls = {"graded": f"sqlite:///{folder / 'graded.db'}", "waiting": f"sqlite:///{folder / 'waiting.db'}"}
    _fill(urls["graded"])
    _fill(urls["waiting"], waiting="ben/treatment-choices")
    return urls


def _roster(tmp_path: Path, text: str = ROSTER) -> Path:
    path = tmp_path / "lms-roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_columns_points_and_scores(gradebooks: dict[str, str], tmp_path: Path) -> None:
    out = export("canvas", gradebooks["graded"], _roster(tmp_path), tmp_path / "canvas.csv")
    assert _read(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
         "evidence-appraisal", "treatment-choices"],
        ["Points Possible", "", "", "", "", "5", "4"],
        ["Ana Lima", "1001", "S-1", "ana.lima", "Tue lab", "3.5", "4"],
        ["Ben Okafor", "1002", "S-2", "ben.okafor", "Tue lab", "0.6667", "1"],
        ["Cai Wen", "1003", "S-3", "cai.wen", "Thu lab", "4", ""],  # no submission: left blank
    ]


def test_moodle_identifier_then_grades_and_no_feedback_column(
    gradebooks: dict[str, str], tmp_path: Path
) -> None:
    roster = _roster(tmp_path)
    out = export("moodle", gradebooks["graded"], roster, tmp_path / "moodle.csv")
    assert _read(out) == [
        ["Email address", "evidence-appraisal", "treatment-choices"],
        ["ana@example.edu", "3.5", "4"],
        ["ben@example.edu", "0.6667", "1"],
        ["cai@example.edu", "4", ""],
    ]
    by_id = _read(export("moodle", gradebooks["graded"], roster, tmp_path / "m2.csv", identifier="idnumber"))
    assert by_id[0][0] == "ID number" and [row[0] for row in by_id[1:]] == ["2301", "2302", "2303"]
    assert not any("feedback" in title.lower() for title in by_id[0])


def test_a_student_missing_from_the_roster_is_named_and_nothing_is_written(
    gradebooks: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "canvas.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    roster = _roster(tmp_path, "\n".join(line for line in ROSTER.splitlines() if not line.startswith("ben")))
    with pytest.raises(ExportError, match=r"not on the roster: ben"):
        export("canvas", gradebooks["graded"], roster, out)
    assert out.read_text(encoding="utf-8") == "the previous export\n", "the old file was touched"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_missing_identifier_and_unfinished_grading_stop_the_export(
    gradebooks: dict[str, str], tmp_path: Path
) -> None:
    no_email = ROSTER.replace("ben@example.edu", "")
    with pytest.raises(ExportError, match=r"no email on the roster for: ben"):
        export("moodle", gradebooks["graded"], _roster(tmp_path, no_email), tmp_path / "m.csv")
    with pytest.raises(ExportError, match=r"graded by hand.*treatment-choices: ben"):
        export("canvas", gradebooks["waiting"], _roster(tmp_path), tmp_path / "c.csv")
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("name,email\nAna,a@x\n", r"line 1: the header has no 'student' column"),
    ("student,emial\nana,a@x\n", r"line 1: unknown column\(s\) emial"),
    ("student,email\nana,a@x\n,b@x\n", r"line 3: field 'student' is empty"),
    ("student,email\nana,a@x\nana,b@x\n", r"line 3: student 'ana' is listed twice"),
    ("student,email\nana,a@x,extra\n", r"line 2: more fields than the header has"),
])
def test_a_malformed_roster_names_its_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = _roster(tmp_path, text)
    with pytest.raises(ExportError, match=rf"{path.name}: {message}"):
        read_roster(path)


def test_numbers_use_a_decimal_point() -> None:
    assert [number(v) for v in (3.5, 4.0, 0.0, 1 / 3, 0.6667, 1234.5, None)] == [
        "3.5", "4", "0", "0.3333", "0.6667", "1234.5", ""]


def test_the_instructor_command_writes_both_files(gradebooks: dict[str, str], tmp_path: Path) -> None:
    """``python assessments/instructor.py lms ...``, as the README tells instructors."""
    roster = _roster(tmp_path)
    for lms in ("canvas", "moodle"):
        out = tmp_path / f"{lms}-grades.csv"
        proc = subprocess.run(
            [sys.executable, str(COURSE / "instructor.py"), "lms", lms, "--roster", str(roster),
             "--db", gradebooks["graded"], "--out", str(out)],
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert _read(out)[1][-2:] in (["5", "4"], ["3.5", "4"])
    bad = subprocess.run(
        [sys.executable, str(COURSE / "instructor.py"), "lms", "canvas",
         "--roster", str(tmp_path / "none.csv"), "--db", gradebooks["graded"],
         "--out", str(tmp_path / "x.csv")],
        capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "no roster file" in bad.stderr and "Traceback" not in bad.stderr
