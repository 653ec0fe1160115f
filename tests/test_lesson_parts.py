"""The generated parts of the lessons: every notebook holds what `python -m widgets.lesson_parts`
writes, a stale or hand-edited generated cell fails the check, and regenerating never touches prose.

Planted changes are made in a temporary copy of the lessons, never in the repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import ipywidgets as w
import nbformat
import pytest
from nbformat import NotebookNode

from widgets import EvidenceSlider
from widgets.course import Course, course
from widgets.lesson_parts import LESSONS, PREDICT, PREFIX, LessonPartsError, parts, run, student_cells
from widgets.range_input import RangeInput

ROOT = Path(__file__).resolve().parents[1]
FILES = [lesson.file for lesson in course().lessons]
TREATMENT_PAGES = [lesson.file for lesson in course().lessons if lesson.is_subpage]


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    """A copy of the course's lessons to plant changes in."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for file in FILES:
        shutil.copy(LESSONS / file, folder / file)
    return folder


def read(folder: Path, file: str) -> NotebookNode:
    return nbformat.read(folder / file, as_version=4)


def write(folder: Path, file: str, nb: NotebookNode) -> None:
    nbformat.write(nb, folder / file)


def cell(nb: NotebookNode, cell_id: str) -> NotebookNode:
    return next(c for c in nb.cells if c.get("id") == cell_id)


def renamed(file: str, title: str) -> Course:
    """The course manifest with one lesson retitled."""
    data = course().model_dump()
    next(x for x in data["lessons"] if x["file"] == file)["title"] = title
    return Course.model_validate(data)


# --- the repository's lessons -----------------------------------------------------------------


def test_every_lesson_holds_what_the_generator_writes() -> None:
    assert run(check=True) == [], "generated cells are stale: run python -m widgets.lesson_parts"


def test_the_parts_cover_the_shared_skeleton_of_every_treatment_page() -> None:
    for file in TREATMENT_PAGES:
        nb = read(LESSONS, file)
        generated = [c for c in nb.cells if c.get("id", "").startswith(PREFIX)]
        # 20 (the review included), plus a heading and a quiz where the bank has questions for students
        assert len(generated) in (20, 22), f"{file}: {len(generated)} generated cells"
        assert nb.cells[0].id == f"{PREFIX}nav-top" and nb.cells[-1].id == f"{PREFIX}nav-bottom"


RED_FLAGS_PAGE = "02-acute-first-aid.ipynb"


@pytest.mark.parametrize("file", FILES)
def test_every_lesson_from_02_opens_with_a_review_right_after_its_imports(file: str) -> None:
    nb = read(LESSONS, file)
    reviews = [i for i, c in enumerate(nb.cells) if c.get("id") == f"{PREFIX}review"]
    if course().index(file) < 2:
        assert reviews == [], f"{file}: lessons 00 and 01 have nothing earlier to review"
        return
    assert len(reviews) == 1, f"{file}: no generated review cell"
    i = reviews[0]
    assert nb.cells[i].source == f'Review("{course().lesson(file).number}")'
    assert not [c for c in nb.cells[:i] if c.metadata.get("tags")], "the review is for every reader"
    if file == RED_FLAGS_PAGE:  # safety first: the red flags come before any review
        assert "red_flags()" in nb.cells[i - 1].source, f"{file}: the review follows the red flags"
        return
    imports = nb.cells[i - 1]
    assert imports.cell_type == "code" and "Review" in imports.source and imports.source.startswith("from ")
    assert nb.cells[i - 2].get("id") == f"{PREFIX}disclaimer", f"{file}: the review opens the content"


def test_prediction_instructions_name_the_real_controls() -> None:
    slider = EvidenceSlider("massage")
    assert isinstance(slider.input, w.BoundedFloatText), "the prediction control is a number box"
    buttons = [slider.less.description, slider.more.description, slider.reveal_button.description]
    for label in re.findall(r"\*\*(.+?)\*\*", PREDICT):
        assert any(b.startswith(label) for b in buttons), f"no button {label!r} in {buttons}"
    assert isinstance(slider.range, RangeInput), "the guess slider is a native range input"
    assert "slider" in PREDICT and "type a number" in PREDICT


@pytest.mark.parametrize("file", FILES)
def test_lesson_prose_names_a_slider_only_where_there_is_one(file: str) -> None:
    nb = read(LESSONS, file)
    has_slider = any("EvidenceSlider(" in c.source for c in nb.cells if c.cell_type == "code")
    for c in nb.cells:
        if c.cell_type == "markdown" and not has_slider:
            assert "slider" not in c.source.lower(), f"{file} cell {c.id}: {c.source[:80]!r}"


# --- a planted change fails the check ---------------------------------------------------------


def test_check_command_names_a_hand_edited_generated_cell(lessons: Path) -> None:
    command = [sys.executable, "-m", "widgets.lesson_parts", "--check", "--lessons", str(lessons)]
    assert subprocess.run(command, capture_output=True, text=True, cwd=ROOT).returncode == 0
    nb = read(lessons, "04a-acupuncture.ipynb")
    cell(nb, f"{PREFIX}disclaimer").source += " Or not."
    write(lessons, "04a-acupuncture.ipynb", nb)
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "lessons/04a-acupuncture.ipynb cell 3 (generated-disclaimer) differs" in result.stdout
    assert "Or not." in result.stdout
    assert result.stdout.count(" differs ") == 1


def test_check_fails_when_the_manifest_changes_without_regenerating(lessons: Path) -> None:
    found = run(lessons, renamed("04d-massage.ipynb", "Massage therapy"), check=True)
    named = {re.match(r"lessons/(\S+) cell \d+ \(generated-([a-z-]+)\)", line).groups() for line in found}
    assert named == {
        ("04c-trigger-point-therapy.ipynb", "nav-top"), ("04c-trigger-point-therapy.ipynb", "nav-bottom"),
        ("04d-massage.ipynb", "title"),
        ("04e-spinal-manipulation.ipynb", "nav-top"), ("04e-spinal-manipulation.ipynb", "nav-bottom"),
    }


def test_check_fails_on_outputs_left_in_a_generated_code_cell(lessons: Path) -> None:
    nb = read(lessons, "05d-heat.ipynb")
    cell(nb, f"{PREFIX}harms").execution_count = 7
    write(lessons, "05d-heat.ipynb", nb)
    assert run(lessons, check=True) == [
        "lessons/05d-heat.ipynb cell 20 (generated-harms) differs from what python -m widgets.lesson_parts "
        "writes:\n    (cell type, metadata or outputs)"
    ]


# --- regenerating ------------------------------------------------------------------------------


def test_regenerating_restores_generated_cells_and_keeps_every_hand_written_cell(lessons: Path) -> None:
    file = "04a-acupuncture.ipynb"
    nb = read(lessons, file)
    prose = next(c for c in nb.cells if c.source.startswith("**Reading the evidence.**"))
    prose.source += "\n\nA planted sentence that regeneration must keep."
    cell(nb, f"{PREFIX}harms").source = 'harms("massage")'
    cell(nb, f"{PREFIX}nav-top").source = "[Somewhere else](nowhere.ipynb)"
    write(lessons, file, nb)
    planted = read(lessons, file)

    assert run(lessons) == [f"wrote lessons/{file}"]
    after = read(lessons, file)
    assert after == read(LESSONS, file) | {"cells": after.cells}  # notebook metadata untouched
    assert [c.id for c in after.cells] == [c.id for c in planted.cells]
    for old, new in zip(planted.cells, after.cells, strict=True):
        if not old.id.startswith(PREFIX):
            assert new == old, f"hand-written cell {old.id} changed"
    assert "A planted sentence" in next(c.source for c in after.cells if c.id == prose.id)
    assert cell(after, f"{PREFIX}harms").source == 'harms("acupuncture")'
    assert after.cells[0].source == course().nav_markdown(file)


def test_regenerating_twice_changes_nothing(lessons: Path) -> None:
    nb = read(lessons, "06d-walking.ipynb")
    cell(nb, f"{PREFIX}predict-heading").source = "## Predict\n\nSet the slider."
    write(lessons, "06d-walking.ipynb", nb)
    assert run(lessons) == ["wrote lessons/06d-walking.ipynb"]
    assert run(lessons) == []
    for file in FILES:  # the repository's lessons are generated, so the copy is byte for byte the same
        assert (lessons / file).read_bytes() == (LESSONS / file).read_bytes(), file


def test_import_cell_follows_what_the_page_calls(lessons: Path) -> None:
    file = "04d-massage.ipynb"
    nb = read(lessons, file)
    at = nb.cells.index(cell(nb, f"{PREFIX}evidence")) + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell('estimate("massage", "some-estimate")'))
    write(lessons, file, nb)
    run(lessons)
    imports = cell(read(lessons, file), f"{PREFIX}imports").source
    namespace: dict[str, object] = {}
    exec(imports, namespace)  # the real import, against the installed widgets package
    assert {"estimate", "about", "EvidenceSlider", "Quiz", "references"} <= namespace.keys()
    assert "illustration" not in namespace, "a name the page does not call is not imported"


# --- bad input gets a clear error ---------------------------------------------------------------


def test_a_call_to_an_unknown_function_is_named(lessons: Path) -> None:
    nb = read(lessons, "04d-massage.ipynb")
    nb.cells.insert(9, nbformat.v4.new_code_cell('frobnicate("massage")'))
    write(lessons, "04d-massage.ipynb", nb)
    with pytest.raises(LessonPartsError, match=r"04d-massage.ipynb cell 9: frobnicate\(\) is neither"):
        run(lessons, check=True)


def test_a_missing_generated_cell_is_named(lessons: Path) -> None:
    nb = read(lessons, "05a-tens.ipynb")
    cell(nb, f"{PREFIX}quiz").id = "pasted-1234"  # what a cut and paste in JupyterLab does
    write(lessons, "05a-tens.ipynb", nb)
    missing = r"05a-tens.ipynb: generated cells missing: \['generated-quiz'\]"
    with pytest.raises(LessonPartsError, match=missing):
        run(lessons)


def test_generated_cells_out_of_order_are_refused(lessons: Path) -> None:
    nb = read(lessons, "03-biopsychosocial.ipynb")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("A cell above the navigation line."))
    write(lessons, "03-biopsychosocial.ipynb", nb)
    with pytest.raises(LessonPartsError, match=r"03-biopsychosocial\.ipynb: generated cells out of order"):
        run(lessons, check=True)


def test_a_treatment_page_must_be_named_after_a_treatment() -> None:
    data = course().model_dump()
    data["lessons"].insert(11, {"file": "04g-cupping.ipynb", "title": "Cupping", "summary": "s"})
    manifest = Course.model_validate(data)
    with pytest.raises(LessonPartsError, match=r"04g-cupping.ipynb: .* no treatment 'cupping'"):
        parts(manifest.lessons[11], nbformat.v4.new_notebook(), manifest)


# --- the student register -----------------------------------------------------------------------

def notebook(*cells: tuple[str, str]) -> NotebookNode:
    """A notebook of (cell type, source) pairs."""
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])


def test_a_student_section_runs_to_the_next_heading_of_its_level_or_higher() -> None:
    nb = notebook(
        ("markdown", "## In short\n\nFor everyone."),
        ("markdown", "## For students: the numbers"),
        ("code", 'evidence_summary("massage")'),
        ("markdown", "### A sub-heading stays inside"),
        ("markdown", "## Try it: back to everyone"),
        ("markdown", "**For students.** A paragraph of its own."),
        ("markdown", "Everyone again."),
        ("markdown", "### For students: a deeper aside"),
        ("code", 'references("massage")'),
    )
    assert student_cells(nb) == [False, True, True, True, False, True, False, True, False]


def test_every_treatment_page_puts_the_numbers_in_the_student_register() -> None:
    for file in TREATMENT_PAGES:
        nb = read(LESSONS, file)
        tagged_ids = {c.get("id") for c in nb.cells if "student" in c.metadata.get("tags", [])}
        for part in ("evidence-heading", "evidence", "stances", "harms"):
            assert PREFIX + part in tagged_ids, f"{file}: {part} should be for students"
        for part in ("patient-summary", "about", "predict", "quiz", "references", "disclaimer"):
            assert PREFIX + part not in tagged_ids, f"{file}: {part} is for every reader"


def test_check_names_a_cell_whose_student_tag_was_removed(lessons: Path) -> None:
    file = TREATMENT_PAGES[0]
    nb = read(lessons, file)
    target = next(c for c in nb.cells if c.source.startswith("## For students: learning objectives"))
    target.metadata.pop("tags")
    write(lessons, file, nb)
    report = run(lessons, check=True)
    assert len(report) == 1 and "is in a student section" in report[0] and target.id in report[0]
    run(lessons)
    assert run(lessons, check=True) == []
