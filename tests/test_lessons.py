"""The lessons: every notebook in the manifest exists, runs headless in a real kernel, keeps its widget
state, reads plainly at the top, links only to files that exist, and retypes no number.

Each lesson is executed once (a module-scoped fixture parametrised by lesson), so that all checks on
its outputs share one kernel run.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from tests.readability import fk_grade
from widgets.course import course
from widgets.evidence import DATA_DIR, evidence
from widgets.questions import load_bank

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
FILES = [lesson.file for lesson in course().lessons]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MAX_SECONDS = 10.0
MAX_GRADE = 8.0

# Numbers that lesson prose may state although the evidence files do not hold them, each with its
# reason. Everything else with a digit must come from the data (rendered by a code cell).
ALLOWED_NUMBERS = {
    "4": "ACP's acute cut-off (under 4 weeks)",
    "6": "the course's acute cut-off (under 6 weeks)",
    "12": "ACP's and WHO's chronic cut-off (over 12 weeks)",
    "95": "95% confidence interval",
}


def read(file: str) -> NotebookNode:
    return nbformat.read(LESSONS / file, as_version=4)


def markdown_cells(nb: NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def code_sources(nb: NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def plain_text(markdown: str) -> str:
    """Markdown reduced to its words: no heading marks, emphasis, link targets or quote marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^#+ .*$", "", text, flags=re.MULTILINE)
    return re.sub(r"[*_`>#]", "", text).strip()


def patient_summary(nb: NotebookNode) -> str:
    cells = [s for s in markdown_cells(nb) if s.startswith("## In short")]
    assert len(cells) == 1, "a lesson needs exactly one '## In short' cell"
    return cells[0]


# --- executed once per lesson ----------------------------------------------------------------


# Marked slow through its parameters, so every test that uses it is slow too (`make test-fast` skips them).
@pytest.fixture(scope="module", params=[pytest.param(file, marks=pytest.mark.slow) for file in FILES])
def executed(request: pytest.FixtureRequest) -> tuple[str, NotebookNode, float]:
    file = request.param
    nb = read(file)
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(LESSONS)}},
    )
    start = time.perf_counter()
    client.execute()
    return file, nb, time.perf_counter() - start


def test_lesson_runs_without_errors(executed: tuple[str, NotebookNode, float]) -> None:
    file, nb, _ = executed
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{file}: {cell.source!r} raised {out.get('ename')}"
            assert out.get("name") != "stderr", f"{file}: {cell.source!r} wrote to stderr: {out.text}"


def test_lesson_runs_quickly(executed: tuple[str, NotebookNode, float]) -> None:
    file, _, seconds = executed
    assert seconds < MAX_SECONDS, f"{file} took {seconds:.1f} s to execute"


def test_every_code_cell_but_imports_shows_something(executed: tuple[str, NotebookNode, float]) -> None:
    file, nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.source.startswith("from "):
            assert cell.outputs, f"{file}: {cell.source!r} displayed nothing"


def test_every_widget_view_has_saved_state(executed: tuple[str, NotebookNode, float]) -> None:
    file, nb, _ = executed
    views = [out["data"][WIDGET_VIEW]["model_id"]
             for cell in nb.cells for out in cell.get("outputs", [])
             if WIDGET_VIEW in out.get("data", {})]
    assert views, f"{file} shows no widget"
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = [model_id for model_id in views if model_id not in state]
    assert not missing, f"{file}: widget views without saved state: {missing}"


def test_rendered_links_resolve(executed: tuple[str, NotebookNode, float]) -> None:
    file, nb, _ = executed
    rendered = [out["data"]["text/markdown"] for cell in nb.cells for out in cell.get("outputs", [])
                if "text/markdown" in out.get("data", {})]
    assert rendered, f"{file} rendered no Markdown from the data"
    for text in rendered:
        for target in relative_links(text):
            assert (LESSONS / target).exists(), f"{file}: rendered link to missing {target}"


# --- static checks ---------------------------------------------------------------------------


def relative_links(markdown: str) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)\)", markdown) + re.findall(r'href="([^"]+)"', markdown)
    return [t.split("#")[0] for t in targets
            if not re.match(r"^(https?:|mailto:|#)", t) and t.split("#")[0]]


@pytest.mark.parametrize("file", FILES)
def test_lesson_exists_with_its_parts(file: str) -> None:
    nb = read(file)
    text = "\n".join(markdown_cells(nb))
    assert nb.cells[1].source.startswith("# "), f"{file}: the title should follow the navigation"
    assert nb.cells[2].source.startswith("## In short"), f"{file}: the patient summary comes first"
    assert "Education, not medical advice" in text
    assert "## For students: learning objectives" in text
    assert "For students" in text
    first_code = next(c.source for c in nb.cells if c.cell_type == "code")
    assert first_code.startswith("from widgets import "), f"{file}: first code cell imports widgets"
    assert "Quiz(" in code_sources(nb), f"{file} has no quiz"
    assert "references(" in code_sources(nb), f"{file} renders no references"


@pytest.mark.parametrize("file", FILES)
def test_code_cells_are_one_liners(file: str) -> None:
    for cell in read(file).cells:
        if cell.cell_type == "code" and not cell.source.startswith("from "):
            assert "\n" not in cell.source.strip(), f"{file}: {cell.source!r} is not one line"
            assert "import numpy" not in cell.source and "matplotlib" not in cell.source


@pytest.mark.parametrize("file", FILES)
def test_patient_summary_reads_at_grade_8_or_below(file: str) -> None:
    grade = fk_grade(plain_text(patient_summary(read(file))))
    assert grade <= MAX_GRADE, f"{file}: patient summary reads at grade {grade:.1f}"


def test_readability_check_can_fail() -> None:
    hard = ("Notwithstanding considerable methodological heterogeneity, contemporaneous systematic "
            "investigations consistently demonstrated statistically indistinguishable physiological "
            "consequences attributable to pharmacological interventions.")
    assert fk_grade(hard) > MAX_GRADE


@pytest.mark.parametrize("file", FILES)
def test_markdown_links_resolve(file: str) -> None:
    for text in markdown_cells(read(file)):
        for target in relative_links(text):
            assert (LESSONS / target).exists(), f"{file}: link to missing file {target}"


def test_every_treatment_is_taught_with_the_full_anatomy() -> None:
    code = "\n".join(code_sources(read(f)) for f in FILES)
    calls = ("about", "EvidenceSlider", "evidence_summary", "stances_table", "harms", "Quiz")
    for treatment_id in evidence().treatments:
        for call in calls:
            assert f'{call}("{treatment_id}")' in code, f"no lesson calls {call}({treatment_id!r})"


def test_every_quiz_bank_in_the_lessons_loads() -> None:
    code = "\n".join(code_sources(read(f)) for f in FILES)
    banks = re.findall(r'Quiz\("([^"]+)"\)', code)
    assert len(banks) >= len(FILES)
    for bank_id in banks:
        assert load_bank(bank_id).questions


def data_numbers() -> set[str]:
    """Every number written anywhere in the evidence files or the course manifest."""
    texts = [p.read_text(encoding="utf-8") for p in DATA_DIR.rglob("*.yaml")]
    texts.append((ROOT / "widgets" / "data" / "course.yaml").read_text(encoding="utf-8"))
    found = set()
    for text in texts:
        for number in re.findall(r"\d+(?:\.\d+)?", text):
            found.add(number)
            found.add(number.lstrip("0") or "0")
    return found


def prose_numbers(markdown: str) -> list[str]:
    """Numbers in prose: not in link targets, list markers or lesson file names."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    text = re.sub(r"^\s*\d+\.\s", "", text, flags=re.MULTILINE)
    return re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text)


def stray_numbers(markdown: str, allowed: set[str]) -> list[str]:
    return [n for n in prose_numbers(markdown) if n not in allowed and n.lstrip("0") not in allowed]


@pytest.mark.parametrize("file", FILES)
def test_prose_retypes_no_number_the_data_does_not_hold(file: str) -> None:
    allowed = data_numbers() | set(ALLOWED_NUMBERS) | {f"{i:02d}" for i in range(len(FILES))}
    nb = read(file)
    stray = {n: text[:80] for text in markdown_cells(nb)[1:-1] for n in stray_numbers(text, allowed)}
    assert not stray, f"{file}: numbers in prose that the evidence data does not hold: {stray}"


def test_number_check_can_fail() -> None:
    allowed = data_numbers() | set(ALLOWED_NUMBERS)
    assert stray_numbers("Exercise lowers pain by 987654 points.", allowed) == ["987654"]
    assert stray_numbers("See [lesson](01-judging-claims.ipynb).\n1. first item", allowed) == []


def committed_notebooks() -> list[Path]:
    """Notebooks under version control (or, without git, every notebook outside build folders)."""
    try:
        out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
        return [ROOT / line for line in out.splitlines() if (ROOT / line).exists()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".venv", ".ipynb_checkpoints", "release", "submitted", "autograded", "feedback"}
        return [p for p in ROOT.rglob("*.ipynb") if not skip & set(p.relative_to(ROOT).parts)]


def test_no_notebook_is_committed_with_outputs() -> None:
    notebooks = committed_notebooks()
    assert {LESSONS / f for f in FILES} <= set(notebooks) or not (ROOT / ".git").exists()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.relative_to(ROOT)} has outputs: {cell.source!r}"
                assert cell.execution_count is None, f"{path.relative_to(ROOT)} has execution counts"
        assert "widgets" not in nb.metadata, f"{path.relative_to(ROOT)} has saved widget state"


RED_FLAG_PAGES = ("00-start-here.ipynb", "02-acute-first-aid.ipynb")


def test_red_flag_pages_lead_with_the_emergency_group(executed: tuple[str, NotebookNode, float]) -> None:
    """Pages 00 and 02 show the red flags, emergency group first, before any student depth."""
    from widgets.evidence import URGENCY_HEADINGS

    file, nb, _ = executed
    if file not in RED_FLAG_PAGES:
        pytest.skip("not a red-flag page")
    shown = [(i, out["data"]["text/markdown"]) for i, cell in enumerate(nb.cells)
             for out in cell.get("outputs", []) if "text/markdown" in out.get("data", {})]
    flags = [(i, text) for i, text in shown if "Red flags: signs that need help fast" in text]
    assert len(flags) == 1, f"{file}: red flags shown {len(flags)} times"
    index, text = flags[0]
    headings = re.findall(r"^#### (.+)$", text, flags=re.MULTILINE)
    assert headings and headings[0] == URGENCY_HEADINGS["emergency"], headings
    first_student = next(i for i, c in enumerate(nb.cells)
                         if c.cell_type == "markdown" and "For students" in c.source)
    assert index < first_student, f"{file}: red flags come after the student depth"
