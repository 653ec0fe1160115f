"""Grades from the nbgrader gradebook as files a learning management system imports.

Two formats, each as its import page describes it:

- **Canvas** (Grades > Import): the columns ``Student``, ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment. Read in Ohio State's guide to
  importing a CSV file into Canvas grades (teaching.resources.osu.edu, "Import a CSV file into
  Carmen Grades"): a row needs the student's name, Canvas ID or SIS user ID, plus SIS login ID and
  section; a column that is not yet an assignment becomes a new one; an imported score overwrites
  the one in the gradebook. The second row, ``Points Possible``, gives each assignment's maximum as
  Canvas's own export does (from that export's layout; not tested against a Canvas instance here).
- **Moodle** (Grades > Import > CSV file): one column that identifies the student (email address,
  ID number or username, matched under "Map from"), then one column per grade item, each mapped to
  a grade item on the import page. No feedback columns are written: mapped without its grade
  column, a feedback column makes Moodle's importer overwrite the grade.

Numbers use a decimal point, no thousands separator and at most four decimals (nbgrader's own
scores; the course's partial credit is already rounded to four).

Who is who in the LMS comes from a roster file (CSV, UTF-8) kept beside the gradebook and not
committed (it holds student data); ``lms-roster.example.csv`` shows the columns:
``student`` (the nbgrader student id) and ``name``, ``canvas_id``, ``sis_user_id``,
``sis_login_id``, ``section``, ``email``, ``idnumber``, ``username`` as the LMS knows them.

Nothing is written unless everything checks: every student in the gradebook is on the roster with
the identifier the format needs, no submission of an exported assignment waits for manual grading,
and the file is replaced in one step (a temporary file, then ``os.replace``).
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROSTER_FIELDS = ["student", "name", "canvas_id", "sis_user_id", "sis_login_id", "section", "email",
                 "idnumber", "username"]
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}


class ExportError(ValueError):
    """The export cannot be made; the message says which file, line, field or student."""


@dataclass(frozen=True)
class Scores:
    """Every student's total per assignment (None: no submission), and each assignment's maximum."""

    assignments: list[str]
    max_scores: dict[str, float]
    students: list[str]
    totals: dict[tuple[str, str], float | None]  # (student, assignment) -> points
    waiting: dict[str, list[str]]  # assignment -> students whose submission needs manual grading


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """The roster, by nbgrader student id; a malformed file names its line and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ExportError(f"{path}: no roster file (see lms-roster.example.csv for its columns)") from None
    except UnicodeDecodeError as err:
        raise ExportError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "student" not in header:
        raise ExportError(f"{path}: line 1: the header has no 'student' column (found: {', '.join(header)})")
    unknown = [name for name in header if name not in ROSTER_FIELDS]
    if unknown:
        raise ExportError(f"{path}: line 1: unknown column(s) {', '.join(unknown)}; "
                          f"known: {', '.join(ROSTER_FIELDS)}")
    roster: dict[str, dict[str, str]] = {}
    for line, row in enumerate(reader, start=2):
        if None in row:
            raise ExportError(f"{path}: line {line}: more fields than the header has")
        student = (row.get("student") or "").strip()
        if not student:
            raise ExportError(f"{path}: line {line}: field 'student' is empty")
        if student in roster:
            raise ExportError(f"{path}: line {line}: student '{student}' is listed twice")
        roster[student] = {name: (row.get(name) or "").strip() for name in ROSTER_FIELDS}
    return roster


def gradebook_scores(db_url: str, assignments: list[str] | None = None) -> Scores:
    """Totals straight from nbgrader's gradebook (its own sums of auto and manual scores)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        names = assignments or [a.name for a in gb.assignments]
        students = sorted(s.id for s in gb.students)
        totals: dict[tuple[str, str], float | None] = {}
        waiting: dict[str, list[str]] = {}
        max_scores: dict[str, float] = {}
        for name in names:
            try:
                max_scores[name] = float(gb.find_assignment(name).max_score)
            except MissingEntry:
                raise ExportError(f"the gradebook has no assignment '{name}'") from None
            for student in students:
                try:
                    submission = gb.find_submission(name, student)
                except MissingEntry:
                    totals[(student, name)] = None
                    continue
                totals[(student, name)] = float(submission.score)
                if submission.needs_manual_grade:
                    waiting.setdefault(name, []).append(student)
    return Scores(names, max_scores, students, totals, waiting)


def number(value: float | None) -> str:
    """A score as the LMS reads it: decimal point, at most four decimals, no trailing zeros."""
    if value is None:
        return ""
    # From the float's shortest decimal form (2.75, not 2.7499...); the course's partial credit is
    # already rounded to four decimals (widgets.grading), so this only trims.
    text = str(Decimal(repr(float(value))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("", "-0") else text


def _check(scores: Scores, roster: dict[str, dict[str, str]], needed: list[str], what: str) -> None:
    missing = [s for s in scores.students if s not in roster]
    if missing:
        raise ExportError(f"not on the roster: {', '.join(missing)} (add them to the roster file)")
    lacking = [s for s in scores.students if not any(roster[s][field] for field in needed)]
    if lacking:
        raise ExportError(f"no {what} on the roster for: {', '.join(lacking)}")
    if scores.waiting:
        pending = "; ".join(f"{a}: {', '.join(students)}" for a, students in sorted(scores.waiting.items()))
        raise ExportError(f"still to be graded by hand (formgrader), so not exported: {pending}")


def canvas_rows(scores: Scores, roster: dict[str, dict[str, str]]) -> list[list[str]]:
    """Canvas's gradebook import: fixed columns, a Points Possible row, one row per student."""
    _check(scores, roster, ["canvas_id", "sis_user_id", "sis_login_id"],
           "canvas_id, sis_user_id or sis_login_id")
    rows = [CANVAS_FIXED + scores.assignments,
            ["Points Possible", "", "", "", ""] + [number(scores.max_scores[a]) for a in scores.assignments]]
    for student in scores.students:
        who = roster[student]
        rows.append([who["name"] or student, who["canvas_id"], who["sis_user_id"], who["sis_login_id"],
                     who["section"]] + [number(scores.totals[(student, a)]) for a in scores.assignments])
    return rows


def moodle_rows(scores: Scores, roster: dict[str, dict[str, str]], identifier: str = "email") -> list[list[str]]:
    """Moodle's CSV grade import: an identifier column, then one grade column per assignment."""
    if identifier not in MOODLE_IDS:
        raise ExportError(f"unknown Moodle identifier '{identifier}'; use one of {', '.join(MOODLE_IDS)}")
    _check(scores, roster, [identifier], identifier)
    rows = [[MOODLE_IDS[identifier], *scores.assignments]]
    for student in scores.students:
        rows.append([roster[student][identifier]] + [number(scores.totals[(student, a)]) for a in scores.assignments])
    return rows


def write_atomic(path: Path, rows: list[list[str]]) -> Path:
    """Write the CSV in one step: a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export(lms: str, db_url: str, roster_path: Path, out: Path, identifier: str = "email",
           assignments: list[str] | None = None) -> Path:
    """Check everything, then write ``out`` for ``lms`` ("canvas" or "moodle")."""
    roster = read_roster(roster_path)
    scores = gradebook_scores(db_url, assignments)
    if lms == "canvas":
        rows = canvas_rows(scores, roster)
    elif lms == "moodle":
        rows = moodle_rows(scores, roster, identifier)
    else:
        raise ExportError(f"unknown LMS '{lms}'; use canvas or moodle")
    return write_atomic(out, rows)
