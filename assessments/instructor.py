"""The instructor's workflow for the course's nbgrader assignments, as commands.

Run from anywhere (every step runs with this folder as the working directory, as nbgrader needs):

    python assessments/instructor.py generate                  # source/ -> release/ (all assignments)
    python assessments/instructor.py release evidence-appraisal   # to the exchange, plus export/<a>-release.zip
    python assessments/instructor.py collect evidence-appraisal   # from the exchange (add --zip for an LMS download)
    python assessments/instructor.py autograde evidence-appraisal # every submission, with progress
    python assessments/instructor.py feedback evidence-appraisal  # HTML feedback without hidden tests
    python assessments/instructor.py export                       # export/grades.csv and export/items.csv

Manual grading happens in formgrader (``make -C assessments formgrade``). ``HideTestDetails``, the
feedback preprocessor configured in nbgrader_config.py, also lives here.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

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


def autograde(name: str, students: list[str] | None = None) -> dict[str, bool]:
    """Autograde every submission of ``name`` in process, printing one progress line each."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        found = sorted(p.parent.name for p in (ROOT / "submitted").glob(f"*/{name}"))
        todo = students or found
        results: dict[str, bool] = {}
        for number, student in enumerate(todo, start=1):
            start = time.perf_counter()
            result = api.autograde(name, student, force=True, create=True)
            results[student] = bool(result["success"])
            verdict = "ok" if result["success"] else "FAILED"
            print(f"[{number}/{len(todo)}] {name} / {student}: {verdict} "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
            if not result["success"]:
                print(result.get("error") or result.get("log", ""), file=sys.stderr)
        return results
    finally:
        os.chdir(previous)


def feedback(name: str, release_to_exchange: bool) -> None:
    nbgrader("generate_feedback", name, "--force")
    if release_to_exchange:
        nbgrader("release_feedback", name)


ITEM_FIELDS = [
    "assignment", "notebook", "question", "student", "score", "max_score", "auto_score",
    "manual_score", "needs_manual_grade",
]
SUMMARY_FIELDS = ["assignment", "notebook", "question", "max_score", "submissions", "mean_score",
                  "mean_fraction", "full_marks", "zero"]


def item_rows(db_url: str | None = None) -> list[dict[str, object]]:
    """One row per student and graded cell (question), straight from the gradebook."""
    from nbgrader.api import Gradebook

    rows: list[dict[str, object]] = []
    with Gradebook(db_url or _db_url()) as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for notebook in submission.notebooks:
                    for grade in sorted(notebook.grades, key=lambda g: g.name):
                        rows.append({
                            "assignment": assignment.name,
                            "notebook": notebook.name,
                            "question": grade.name,
                            "student": submission.student.id,
                            "score": grade.score,
                            "max_score": grade.max_score,
                            "auto_score": grade.auto_score,
                            "manual_score": grade.manual_score,
                            "needs_manual_grade": grade.needs_manual_grade,
                        })
    return rows


def item_summary(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per question: mean score, share of full marks and of zeros (which questions went wrong)."""
    groups: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault((str(row["assignment"]), str(row["notebook"]), str(row["question"])), []).append(row)
    summary = []
    for (assignment, notebook, question), items in sorted(groups.items()):
        max_score = float(items[0]["max_score"])  # type: ignore[arg-type]
        scores = [float(r["score"]) for r in items]  # type: ignore[arg-type]
        mean = sum(scores) / len(scores)
        summary.append({
            "assignment": assignment, "notebook": notebook, "question": question,
            "max_score": max_score, "submissions": len(scores), "mean_score": round(mean, 3),
            "mean_fraction": round(mean / max_score, 3) if max_score else "",
            "full_marks": sum(1 for s in scores if s >= max_score),
            "zero": sum(1 for s in scores if s == 0),
        })
    return summary


def export() -> tuple[Path, Path, Path]:
    """grades.csv (nbgrader's own export) plus items.csv and items-summary.csv for item analysis."""
    out = ROOT / "export"
    out.mkdir(exist_ok=True)
    grades = out / "grades.csv"
    nbgrader("export", f"--to={grades}")
    rows = item_rows()
    items = _write_csv(out / "items.csv", ITEM_FIELDS, rows)
    summary = _write_csv(out / "items-summary.csv", SUMMARY_FIELDS, item_summary(rows))
    print(f"Wrote {grades}, {items} and {summary}")
    return grades, items, summary


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


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
    sub.add_parser("export", help="export/grades.csv, export/items.csv, export/items-summary.csv")
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args.assignments)
    elif args.command == "release":
        release(args.assignment)
    elif args.command == "collect":
        collect(args.assignment, args.zip)
    elif args.command == "autograde":
        results = autograde(args.assignment, args.student)
        if not all(results.values()):
            raise SystemExit(1)
    elif args.command == "feedback":
        feedback(args.assignment, args.release)
    else:
        export()


if __name__ == "__main__":
    main()
