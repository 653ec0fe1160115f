"""The repeated parts of every lesson, written from the course manifest; the prose stays hand-written.

Every lesson opens and closes with the same navigation line and carries its title and the
disclaimer. The 15 treatment pages (04a ... 06e) also share a skeleton: the import cell, the
patient summary, and a fixed heading with a one-line call for each section (what it is, predict
then reveal, the evidence, guideline stances, harms, quiz), then the references. These cells are
*generated*: each has a cell id ``generated-<part>`` that names its part, and this module writes
it. Every other cell is hand-written prose or a page's own tool, and is never touched.

Every lesson from 02 on also opens with a review, ``Review("<number>")`` (``widgets.review``): two
questions from earlier lessons, in the cell ``generated-review``. A treatment page has it right after
its generated imports; another lesson has it where its author put it after the disclaimer (below its
own import cell, which must import ``Review``): on page 02 after the red flags, which come first.

    python -m widgets.lesson_parts           # rewrite the generated cells of every lesson
    python -m widgets.lesson_parts --check   # write nothing; exit 1 naming each cell that differs

The module also keeps each cell's ``student`` tag, which the Voila template turns into a closed
"For students" section (JupyterLab shows every cell). The tag is derived from the prose, never set
by hand: a heading that starts "For students" opens a student section, which runs until the next
heading of the same or a higher level, the page's references or its navigation line; a paragraph
that starts "**For students.**" is a student section on its own.

A treatment page's treatment is the one its file is named after (``04d-massage.ipynb`` is about
``massage``). Its import cell imports every name that the page's code cells call, so a page that
adds a cell such as ``estimate(...)`` gets the import on the next run.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import nbformat
from nbformat import NotebookNode

import widgets
from widgets import render
from widgets.course import Course, Lesson, course
from widgets.evidence import evidence
from widgets.questions import load_bank

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
PREFIX = "generated-"
LINE_LENGTH = 110  # ruff's line-length (pyproject.toml): imports are wrapped where ruff would wrap them
COMMAND = "python -m widgets.lesson_parts"

DISCLAIMER = (
    "> **Education, not medical advice.** This course explains what research says about treatments "
    "for low back pain. It cannot tell you what is wrong with your back or what you should do. Talk "
    "to a doctor or physiotherapist about your own care. If you have any of the warning signs in "
    "[the red flags list](02-acute-first-aid.ipynb), get urgent help."
)
# The prediction control is a number box with Less / More buttons (widgets/slider.py), not a slider.
PREDICT = (
    "## Guess first, then see the research\n\n"
    "Before you read the research, make a guess: how much do you think this treatment helps? Move "
    "the slider, type a number, or use the **Less benefit** and **More benefit** buttons. Then press "
    "**Reveal the evidence**."
)
# (part name, heading, call) for each section of a treatment page, in page order.
SECTIONS = (
    ("about", "## What it is, and how it is claimed to work", "about"),
    ("predict", PREDICT, "EvidenceSlider"),
    ("evidence", "## For students: what the evidence shows", "evidence_summary"),
    ("stances", "## For students: where guidelines agree or disagree, and why", "stances_table"),
    ("harms", "## For students: harms in detail", "harms"),
    ("quiz", "## Check your understanding", "Quiz"),
)

# Lessons from this position in the manifest on open with a review of earlier lessons (widgets.review).
REVIEW_FROM = 2

# The bank's technical questions, after the patient quiz (only where the bank has some).
STUDENT_QUIZ_HEADING = "## For students: more questions"

STUDENT_TAG = "student"
STUDENT_HEADING = "For students"
STUDENT_PARAGRAPH = "**For students.**"
# Calls whose cells end a student section: the page's sources belong to every reader.
SECTION_ENDS = ("references", "all_references")


class LessonPartsError(ValueError):
    """A lesson's generated cells cannot be written; the message names the notebook and the cell."""


@dataclass(frozen=True)
class Part:
    """One generated cell: its part name (the cell id is ``generated-<name>``), type and source."""

    name: str
    cell_type: Literal["markdown", "code"]
    source: str

    @property
    def cell_id(self) -> str:
        """The id that marks the cell as generated: ``generated-<name>``."""
        return PREFIX + self.name

    def cell(self) -> NotebookNode:
        """The cell as written: no metadata, and for code no outputs and no execution count."""
        if self.cell_type == "code":
            code: NotebookNode = nbformat.v4.new_code_cell(self.source, id=self.cell_id)
            return code
        text: NotebookNode = nbformat.v4.new_markdown_cell(self.source, id=self.cell_id)
        return text


def skeleton(treatment: str) -> list[Part]:
    """The generated cells of a treatment page below its imports, in page order."""
    call = f'("{treatment}")'
    parts = [Part("patient-summary", "code", f"patient_summary{call}")]
    for name, heading, function in SECTIONS:
        parts += [Part(f"{name}-heading", "markdown", heading), Part(name, "code", function + call)]
    if any(q.audience == "student" for q in load_bank(treatment).questions):
        parts += [Part("quiz-students-heading", "markdown", STUDENT_QUIZ_HEADING),
                  Part("quiz-students", "code", f'Quiz("{treatment}", audience="student")')]
    return [*parts, Part("references", "code", f"references{call}")]


def import_lines(names: dict[str, str]) -> str:
    """The import cell for ``names``, each mapped to the cell that calls it (named in errors).

    Classes come from ``widgets`` and functions from ``widgets.render``, sorted and wrapped as
    ruff's import sorting writes them, so that ``ruff check`` accepts the cell.
    """
    by_module: dict[str, list[str]] = {"widgets": [], "widgets.render": []}
    for name, where in names.items():
        if name in widgets.__all__:
            by_module["widgets"].append(name)
        elif getattr(getattr(render, name, None), "__module__", None) == render.__name__:
            by_module["widgets.render"].append(name)
        elif not hasattr(builtins, name):
            raise LessonPartsError(f"{where}: {name}() is neither in widgets nor in widgets.render")
    lines = []
    for module, found in by_module.items():
        found.sort(key=lambda n: (not n.isupper(), not n[0].isupper(), n))
        line = f"from {module} import {', '.join(found)}"
        if len(line) > LINE_LENGTH:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in found) + ")"
        if found:
            lines.append(line)
    return "\n".join(lines)


def called_names(source: str, where: str) -> set[str]:
    """The bare names a code cell calls (``about`` in ``about("massage")``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise LessonPartsError(f"{where}: not valid Python: {err.msg}") from None
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def parts(lesson: Lesson, nb: NotebookNode, manifest: Course) -> list[Part]:
    """Every generated cell of one lesson, in page order."""
    result = [Part("nav-top", "markdown", manifest.nav_markdown(lesson.file))]
    if lesson.file != manifest.lessons[0].file:  # the home page's heading names the whole course
        result.append(Part("title", "markdown", f"# {lesson.title}"))
    result.append(Part("disclaimer", "markdown", DISCLAIMER))
    review = [Part("review", "code", f'Review("{lesson.number}")')] \
        if manifest.index(lesson.file) >= REVIEW_FROM else []
    if (treatment := lesson.treatment) is not None:
        if treatment not in evidence().treatments:
            raise LessonPartsError(
                f"lessons/{lesson.file}: a treatment page is named after its treatment, but the evidence "
                f"base has no treatment {treatment!r} (widgets/data/evidence/treatments/{treatment}.yaml)"
            )
        body = [*review, *skeleton(treatment)]
        code = [(p.source, p.cell_id) for p in body if p.cell_type == "code"]
        code += [(c.source, f"lessons/{lesson.file} cell {i}") for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and not c.get("id", "").startswith(PREFIX)]
        names = {name: where for source, where in code for name in called_names(source, where)}
        result += [Part("imports", "code", import_lines(names)), *body]
    else:
        result += review
    return [*result, Part("nav-bottom", "markdown", manifest.nav_markdown(lesson.file))]


def heading(cell: NotebookNode) -> tuple[int, str] | None:
    """(level, text) of a Markdown cell that opens with a heading line, else None."""
    first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    marks = len(first) - len(first.lstrip("#"))
    return (marks, first[marks:].strip()) if marks and first[marks:marks + 1] == " " else None


def student_cells(nb: NotebookNode) -> list[bool]:
    """For each cell, whether it belongs to the student register (see the module's docstring)."""
    flags: list[bool] = []
    level = 0  # the level of the open student section's heading; 0 when none is open
    for cell in nb.cells:
        found = heading(cell)
        if found and level and found[0] <= level:
            level = 0
        if found and found[1].startswith(STUDENT_HEADING):
            level = found[0]
        ends = cell.get("id", "") == PREFIX + "nav-bottom" or (
            cell.cell_type == "code" and called_names(cell.source, "a code cell") & set(SECTION_ENDS)
        )
        if ends:
            level = 0
        flags.append(bool(level) or (cell.cell_type == "markdown"
                                     and cell.source.lstrip().startswith(STUDENT_PARAGRAPH)))
    return flags


def tagged(cell: NotebookNode, student: bool) -> NotebookNode:
    """A copy of ``cell`` whose tags say whether it is in the student register (other tags kept)."""
    copy: NotebookNode = nbformat.from_dict(cell)
    tags = [t for t in copy.metadata.get("tags", []) if t != STUDENT_TAG]
    tags += [STUDENT_TAG] if student else []
    if tags:
        copy.metadata["tags"] = tags
    else:
        copy.metadata.pop("tags", None)
    return copy


def written(lesson: Lesson, nb: NotebookNode, manifest: Course) -> list[NotebookNode]:
    """The lesson's cells as this module writes them: generated cells replaced, every cell tagged."""
    expected = parts(lesson, nb, manifest)
    positions = generated_positions(lesson, nb, expected)
    cells = list(nb.cells)
    for part in expected:
        cells[positions[part.cell_id]] = part.cell()
    fresh = nbformat.from_dict({**nb, "cells": cells})
    return [tagged(c, flag) for c, flag in zip(cells, student_cells(fresh), strict=True)]


def generated_positions(lesson: Lesson, nb: NotebookNode, expected: list[Part]) -> dict[str, int]:
    """Where each generated cell sits; raises if one is missing, unknown, doubled or out of order."""
    where = f"lessons/{lesson.file}"
    positions: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        cell_id = cell.get("id", "")
        if cell_id.startswith(PREFIX):
            if cell_id in positions:
                first = positions[cell_id]
                raise LessonPartsError(f"{where}: cells {first} and {i} both have the id {cell_id!r}")
            positions[cell_id] = i
    ids = [p.cell_id for p in expected]
    if unknown := sorted(set(positions) - set(ids)):
        raise LessonPartsError(f"{where}: cells {unknown} look generated, but this lesson has no such part")
    if missing := [i for i in ids if i not in positions]:
        raise LessonPartsError(
            f"{where}: generated cells missing: {missing}. Give the cell that holds each part its id "
            "back (a cut-and-pasted cell gets a new id), or add the cell with that id."
        )
    order = [positions[i] for i in ids]
    if order != sorted(order) or order[0] != 0 or order[-1] != len(nb.cells) - 1:
        raise LessonPartsError(
            f"{where}: generated cells out of order: expected {ids} in this order, with the "
            "navigation lines first and last"
        )
    return positions


def differences(lesson: Lesson, nb: NotebookNode, manifest: Course) -> list[str]:
    """One message per cell of ``nb`` that differs from what this module writes."""
    found = []
    for i, (cell, want) in enumerate(zip(nb.cells, written(lesson, nb, manifest), strict=True)):
        if cell == want:
            continue
        where = f"lessons/{lesson.file} cell {i} ({cell.get('id', 'no id')})"
        if not cell.get("id", "").startswith(PREFIX):
            register = "in" if STUDENT_TAG in want.metadata.get("tags", []) else "not in"
            found.append(f"{where} is {register} a student section, but its tags say otherwise: "
                         f"run {COMMAND}")
            continue
        diff = difflib.unified_diff(cell.source.splitlines(), want.source.splitlines(),
                                    "in the notebook", "generated", n=0, lineterm="")
        changes = "\n".join(f"    {line}" for line in list(diff)[2:])
        found.append(f"{where} differs from what {COMMAND} writes:\n"
                     f"{changes or '    (cell type, metadata or outputs)'}")
    return found


def regenerate(lesson: Lesson, nb: NotebookNode, manifest: Course) -> bool:
    """Rewrite the generated cells and the student tags of ``nb`` in place; True if any changed."""
    cells = written(lesson, nb, manifest)
    changed = cells != list(nb.cells)
    nb.cells = cells
    return changed


def run(lessons_dir: Path = LESSONS, manifest: Course | None = None, check: bool = False) -> list[str]:
    """Check or rewrite every lesson of the manifest in ``lessons_dir``.

    Returns the differences found when checking, or the notebooks written otherwise.
    """
    manifest = manifest or course()
    report = []
    for lesson in manifest.lessons:
        path = lessons_dir / lesson.file
        nb = nbformat.read(path, as_version=4)
        if check:
            report += differences(lesson, nb, manifest)
        elif regenerate(lesson, nb, manifest):
            nbformat.write(nb, path)
            report.append(f"wrote lessons/{lesson.file}")
    return report


def main(argv: list[str] | None = None) -> int:
    """The command line: 0 when done, 1 if ``--check`` finds a difference, 2 if cells cannot be written."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a cell differs")
    parser.add_argument("--lessons", type=Path, default=LESSONS, help="the lessons folder")
    args = parser.parse_args(argv)
    try:
        report = run(args.lessons, check=args.check)
    except LessonPartsError as err:
        print(err, file=sys.stderr)
        return 2
    print("\n".join(report) or ("every generated cell is up to date" if args.check else "nothing to write"))
    return 1 if args.check and report else 0


if __name__ == "__main__":
    sys.exit(main())
