"""The instructor's workflow for the course's nbgrader assignments, as commands.

Run from anywhere (every step runs with this folder as the working directory, as nbgrader needs):

    python assessments/instructor.py generate                  # source/ -> release/ (all assignments)
    python assessments/instructor.py release evidence-appraisal   # to the exchange, plus export/<a>-release.zip
    python assessments/instructor.py collect evidence-appraisal   # from the exchange (add --zip for an LMS download)
    python assessments/instructor.py autograde evidence-appraisal # every submission, with progress
    python assessments/instructor.py feedback evidence-appraisal  # HTML feedback without hidden tests
    python assessments/instructor.py export                       # grades.csv, item analysis (CSV, HTML)
    python assessments/instructor.py lms canvas                   # export/canvas-grades.csv (or: lms moodle)
    python assessments/instructor.py variant evidence-appraisal ana ben   # these students' own numbers

Manual grading happens in formgrader (``make -C assessments formgrade``). ``HideTestDetails``, the
feedback preprocessor configured in nbgrader_config.py, also lives here.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from widgets.answers import ANSWERS_FILE, AnswersError, load_answers
from widgets.grading import key_in, score
from widgets.variants import STUDENT_ENV, variant_answers

ROOT = Path(__file__).resolve().parent
ASSIGNMENTS = ["evidence-appraisal", "biopsychosocial-case", "treatment-choices"]
HIDDEN = re.compile(r"^[ \t]*#+ *BEGIN HIDDEN TESTS.*?^[ \t]*#+ *END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
FAILED_NOTE = "At least one test in this cell did not pass. Its score is shown above.\n"
PASSED_NOTE = "The tests in this cell ran. Its score is shown above.\n"


class HideTestDetails(NbGraderPreprocessor):
    """Feedback preprocessor: strip hidden tests from test cells and replace their outputs.

    Removing the hidden region is not enough: a failing hidden assert prints its own line in the
    traceback. So every autograder test cell keeps only a one-line note instead of its outputs.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            cell.source = HIDDEN.sub("", cell.source)
            failed = any(out.get("output_type") == "error" for out in cell.get("outputs", []))
            note = FAILED_NOTE if failed else PASSED_NOTE
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=note)]
        return cell, resources


class ClampScores(NbGraderPreprocessor):
    """Autograde preprocessor: a test cell's result counts only if it is a score the cell can give.

    nbgrader reads a test cell's last value as partial credit, but gives full marks for a negative
    or non-numeric value and drops the student's whole submission for one above the cell's points.
    A student's code can make a hidden test return any of these (by replacing a scoring helper).
    Here a result that is not a number from 0 to the cell's points is replaced by 0: no credit
    for it, and the submission is still graded.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            points = float(cell.metadata["nbgrader"]["points"])
            for output in cell.get("outputs", []):
                if output.get("output_type") == "execute_result":
                    text = output.get("data", {}).get("text/plain", "")
                    value = _score(text if isinstance(text, str) else "".join(text))
                    if value is None or not 0 <= value <= points:
                        self.log.warning("test cell %s: result %r is not a score from 0 to %g: 0 points",
                                         cell.metadata["nbgrader"].get("grade_id", index), text, points)
                        output["data"] = {"text/plain": "0"}
        return cell, resources


class ExecuteOrZero(Execute):
    """nbgrader's Execute, except that a notebook whose kernel breaks is still graded.

    When a student's code kills its kernel (``os._exit``) or breaks its messages (replacing
    ``json.loads`` in the kernel), nbgrader stops with an error and leaves the whole submission
    ungraded. Here the cells that never ran get an error saying why instead, so their tests earn
    nothing, the cells that ran keep their results, and the submission is graded.
    """

    def preprocess(self, nb: NotebookNode, resources: dict, km: Any = None) -> tuple[NotebookNode, dict]:
        self._ran: set[int] = set()
        try:
            return super().preprocess(nb, resources, km)  # type: ignore[no-any-return]
        except (DeadKernelError, TimeoutError) as err:
            why = "the kernel died" if isinstance(err, DeadKernelError) else "the kernel stopped answering"
            self.log.warning("%s: %s; the cells after it score 0", resources.get("unique_key", "notebook"), why)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and index not in self._ran:
                    cell.execution_count = None
                    cell.outputs = [NotebookNode(
                        output_type="error", ename="NotRun",
                        evalue=f"this cell did not run: {why} in an earlier cell", traceback=[])]
            return nb, resources

    def on_cell_executed(self, **kwargs: Any) -> None:
        """Note each cell that ran to the end."""
        self._ran.add(kwargs["cell_index"])
        super().on_cell_executed(**kwargs)


class ReadRecordedAnswers(NbGraderPreprocessor):
    """Autograde preprocessor, before the notebook runs: keep the handed-in ``answers.json``.

    Read before the student's code runs, so that code cannot rewrite what is scored.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        try:
            resources["lbp_answers"] = load_answers(folder / ANSWERS_FILE)
        except AnswersError as err:
            self.log.warning("%s: scored as unanswered", err)
            resources["lbp_answers"] = {}
        return nb, resources


VARIANT_LINE = re.compile(r"^([ \t]*)LBP_VARIANT[ \t]*=.*$", re.M)


class InsertVariants(NbGraderPreprocessor):
    """Autograde preprocessor, before the notebook runs: the graded student's own numbers.

    The kernel gets the student's id (``LBP_STUDENT``), so their notebook shows their own variant
    again; each test cell's ``LBP_VARIANT = ...`` line becomes the literal expected answers of that
    variant (see :mod:`widgets.variants`), so the student's code cannot change what is expected.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        student, assignment = resources["nbgrader"]["student"], resources["nbgrader"]["assignment"]
        os.environ[STUDENT_ENV] = student  # read by the kernel that Execute starts next
        literal = repr(variant_answers(assignment, student))
        for cell in nb.cells:
            if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
                cell.source = VARIANT_LINE.sub(lambda m: f"{m.group(1)}LBP_VARIANT = {literal}", cell.source)
        return nb, resources


class ScoreRecordedAnswers(NbGraderPreprocessor):
    """Autograde preprocessor, after the notebook ran: score each widget-graded test cell here.

    A cell whose hidden region holds a key (see :mod:`widgets.grading`) is scored from the answers
    kept by ``ReadRecordedAnswers`` and that key, in this process; its outputs become that score,
    whatever the student's kernel printed, returned or raised for it.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, index: int
    ) -> tuple[NotebookNode, dict]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            key = key_in(cell.source)
            if key is not None:
                points = float(cell.metadata["nbgrader"]["points"])
                earned = score(key, resources.get("lbp_answers", {}), points)
                cell.outputs = [NotebookNode(output_type="execute_result", execution_count=None, metadata={},
                                             data={"text/plain": repr(earned)})]
        return cell, resources


def _score(text: str) -> float | None:
    """A finite number, or None."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def nbgrader(*args: str) -> None:
    """Run one nbgrader command in the course root; stop on failure."""
    command = [sys.executable, "-m", "nbgrader", *args]
    print("$", "nbgrader", *args, flush=True)
    # nbgrader runs `alembic` to create the gradebook: find it beside this Python.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PATH": path})


def check_source() -> None:
    """Refuse to build from a source folder that holds an answers file (it would leak answers)."""
    stray = sorted(ROOT.glob("source/*/answers*.json"))
    if stray:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stray)
        raise SystemExit(f"remove {names} first: it would be released to students")


def generate(assignments: list[str]) -> None:
    check_source()
    for name in assignments:
        nbgrader("generate_assignment", name, "--force")


def release(name: str) -> Path:
    """Release to the nbgrader exchange and write export/<name>-release.zip for an LMS."""
    nbgrader("release_assignment", name, "--force")
    folder = ROOT / "release" / name
    target = ROOT / "export" / f"{name}-release.zip"
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                archive.write(path, Path(name) / path.relative_to(folder))
    print(f"LMS upload: {target}")
    return target


def collect(name: str, from_zip: bool) -> None:
    """Collect from the exchange, or from LMS downloads in downloaded/<name>/archive/."""
    if from_zip:
        nbgrader("zip_collect", name, "--force")
    else:
        nbgrader("collect", name, "--update")


def autograde(name: str, students: list[str] | None = None, workers: int | None = None,
              timeout: float = 600.0) -> dict[str, bool]:
    """Autograde every submission of ``name`` on every core (see parallel_grade.py), with progress."""
    from parallel_grade import grade_class  # beside this file

    found = sorted(p.parent.name for p in (ROOT / "submitted").glob(f"*/{name}"))
    outcomes = grade_class(name, students or found, workers=workers, timeout=timeout, root=ROOT)
    failed = sorted(student for student, outcome in outcomes.items() if not outcome.ok)
    if failed:
        print(f"Not graded: {', '.join(failed)} (see the messages above); every other submission is.",
              file=sys.stderr)
    return {student: outcome.ok for student, outcome in outcomes.items()}


def feedback(name: str, release_to_exchange: bool) -> None:
    nbgrader("generate_feedback", name, "--force")
    if release_to_exchange:
        nbgrader("release_feedback", name)


def export() -> list[Path]:
    """grades.csv (nbgrader's own export) plus the item analysis (see item_analysis.py)."""
    from item_analysis import write_reports  # beside this file, like nbgrader_config's import of it

    out = ROOT / "export"
    out.mkdir(exist_ok=True)
    grades = out / "grades.csv"
    nbgrader("export", f"--to={grades}")
    written = [grades, *write_reports(ROOT, _db_url(), out, ASSIGNMENTS)]
    print("Wrote " + ", ".join(str(p) for p in written))
    return written


def lms_export(lms: str, roster: Path, identifier: str, db_url: str | None, out: Path | None) -> Path:
    """export/<lms>-grades.csv for Canvas or Moodle (see lms.py); a clear error, nothing half-written."""
    from lms import ExportError, export  # beside this file

    target = out or ROOT / "export" / f"{lms}-grades.csv"
    try:
        path = export(lms, db_url or _db_url(), roster, target, identifier=identifier)
    except ExportError as err:
        raise SystemExit(f"{lms} export: {err}") from None
    print(f"Wrote {path}")
    return path


def preview_variants(name: str, students: list[str]) -> None:
    """Print each student's own numbers and expected answers, as the grader will use them."""
    from widgets.variants import nnt_trial, review_result

    for student in students:
        print(f"{student}: {variant_answers(name, student)}")
        if name == "evidence-appraisal":
            print(f"  {nnt_trial(student, name)}")
            print(f"  {review_result(student, name)}")


def _db_url() -> str:
    return os.environ.get("NBGRADER_DB_URL", "sqlite:///" + str(ROOT / "gradebook.db"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="build release/ from source/ (default: every assignment)")
    gen.add_argument("assignments", nargs="*", default=ASSIGNMENTS)
    for command, text in [("release", "release to the exchange and as a zip"),
                          ("collect", "collect submissions"), ("autograde", "autograde with progress"),
                          ("feedback", "generate feedback HTML without hidden tests")]:
        one = sub.add_parser(command, help=text)
        one.add_argument("assignment", choices=ASSIGNMENTS)
        if command == "collect":
            one.add_argument("--zip", action="store_true", help="use zip_collect on downloaded/<a>/archive")
        if command == "feedback":
            one.add_argument("--release", action="store_true", help="also release_feedback to the exchange")
        if command == "autograde":
            one.add_argument("--student", action="append", help="only these students (repeatable)")
            one.add_argument("--workers", type=int, help="grading processes (default: one per core)")
            one.add_argument("--timeout", type=float, default=600.0,
                             help="seconds one submission may take before it is stopped (default 600)")
    variant = sub.add_parser("variant", help="preview students' own numbers and expected answers")
    variant.add_argument("assignment", choices=ASSIGNMENTS)
    variant.add_argument("students", nargs="+", help="nbgrader student ids")
    sub.add_parser("export", help="export/grades.csv, items*.csv, item-options.csv, item-report.html")
    to_lms = sub.add_parser("lms", help="grades to import into Canvas or Moodle: export/<lms>-grades.csv")
    to_lms.add_argument("lms", choices=["canvas", "moodle"])
    to_lms.add_argument("--roster", type=Path, default=ROOT / "lms-roster.csv",
                        help="who is who in the LMS (see lms-roster.example.csv)")
    to_lms.add_argument("--id", dest="identifier", choices=["email", "idnumber", "username"], default="email",
                        help="Moodle: the roster column that identifies students (map it on Moodle's import page)")
    to_lms.add_argument("--db", help="gradebook URL (default: NBGRADER_DB_URL or gradebook.db)")
    to_lms.add_argument("--out", type=Path, help="the file to write (default: export/<lms>-grades.csv)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.assignments)
    elif args.command == "release":
        release(args.assignment)
    elif args.command == "collect":
        collect(args.assignment, args.zip)
    elif args.command == "autograde":
        results = autograde(args.assignment, args.student, args.workers, args.timeout)
        if not all(results.values()):
            raise SystemExit(1)
    elif args.command == "feedback":
        feedback(args.assignment, args.release)
    elif args.command == "variant":
        preview_variants(args.assignment, args.students)
    elif args.command == "lms":
        lms_export(args.lms, args.roster, args.identifier, args.db, args.out)
    else:
        export()


if __name__ == "__main__":
    main()
