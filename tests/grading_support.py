"""Helpers for the nbgrader end-to-end test: run nbgrader, edit notebooks, read the course back."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

from tests.servers import REPO

if TYPE_CHECKING:
    from nbgrader.api import Gradebook

COURSE = REPO / "assessments"
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.M | re.S)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n(.*?)^[ \t]*### END HIDDEN TESTS\n?", re.M | re.S)
MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===\n(.*?)=== END MARK SCHEME ===", re.S)


def source_keys(assignment: str) -> dict[str, dict]:
    """The graded widgets' answer keys in an assignment's source, by the record they score."""
    from widgets.grading import key_in

    keys = {}
    for path in sorted((COURSE / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if (key := key_in(cell.source)) is not None:
                # A certainty key marks several questions together: each has a key of its own inside.
                for one in key["keys"] if key["kind"] == "certainty" else [key]:
                    keys[f"{one['record']}#{one['kind']}"] = one
    return keys


def right_quiz(bank: str = "assessment-treatment-choices", assignment: str = "treatment-choices") -> dict:
    """Question id -> the right answer of the graded quiz, from the keys in the source."""
    prefix = f"quiz/{bank}/"
    return {k["record"][len(prefix):]: k["answer"] for k in source_keys(assignment).values()
            if k["record"].startswith(prefix)}


def new_gradebook(db_url: str) -> Gradebook:
    """A new gradebook; nbgrader runs ``alembic`` (beside this Python) to create it (about 5-8 s)."""
    from nbgrader.api import Gradebook

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
        return Gradebook(db_url)


def run(cwd: Path, env: dict[str, str], *args: str, timeout: float = 300) -> float:
    """Run ``python -m <args>`` in ``cwd``; fail with its output if it fails; return seconds taken."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return time.perf_counter() - start


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def solved(source_nb: nbformat.NotebookNode, grade_id: str) -> str:
    """The instructor's solution of a cell, without the solution markers."""
    text = source_nb.cells[cell_index(source_nb, grade_id)].source
    return re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION\n?", "", text, flags=re.M)


class Submission:
    """A student's copy of one released notebook, edited cell by cell, then saved."""

    def __init__(self, released: Path, source: Path) -> None:
        self.nb = nbformat.read(released, as_version=4)
        self.source = nbformat.read(source, as_version=4)
        self.name = released.name

    def answer(self, grade_id: str, text: str | None = None) -> Submission:
        """Put ``text`` (default: the instructor's solution) into an answer cell."""
        self.nb.cells[cell_index(self.nb, grade_id)].source = (
            solved(self.source, grade_id) if text is None else text
        )
        return self

    def prepend(self, code: str) -> Submission:
        """Add a code cell of the student's own at the top of the notebook."""
        self.nb.cells.insert(0, nbformat.v4.new_code_cell(code))
        return self

    def delete(self, grade_id: str) -> Submission:
        del self.nb.cells[cell_index(self.nb, grade_id)]
        return self

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.name
        nbformat.write(self.nb, path)
        return path


def regions(pattern: re.Pattern[str], notebooks: list[Path], min_length: int = 10) -> set[str]:
    """Distinctive lines inside the marked regions of these notebooks (solutions, hidden tests)."""
    lines: set[str] = set()
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            for block in pattern.findall(cell.source):
                lines.update(s.strip() for s in block.splitlines() if len(s.strip()) >= min_length)
    return lines


def notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in nb.cells)


def html_text(path: Path) -> str:
    """The visible text of an HTML file (code highlighting spans removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
