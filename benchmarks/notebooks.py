"""The notebooks benchmarked: the course's lessons and the minimal baselines they are compared with."""

from __future__ import annotations

from pathlib import Path

import nbformat

from benchmarks.core import REPO

LESSONS = REPO / "lessons"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Minimal notebooks, written into a scratch folder and served or run exactly like the lessons.
BASELINES: dict[str, list[str]] = {
    # Time to interactive: one stock slider.
    "slider.ipynb": ["import ipywidgets as w\nw.IntSlider(description='Value')"],
    # Interaction round trip: a slider whose value a Python callback writes into a Label.
    "slider-label.ipynb": [
        "import ipywidgets as w\n"
        "slider = w.IntSlider(description='Value')\n"
        "label = w.Label(value='0').add_class('lbp-bench-out')\n"
        "slider.observe(lambda change: setattr(label, 'value', str(change['new'])), names='value')\n"
        "w.VBox([slider, label])"
    ],
    # Kernel memory: a bare kernel with ipywidgets imported (one tiny widget, so the page renders).
    "bare-widgets.ipynb": ["import ipywidgets as w\nw.Label(value='ready')"],
    # Headless execution: an empty notebook.
    "empty.ipynb": [],
}


# Interaction probes: several copies of one course widget, one per measured repetition.
def probe_sources(copies: int) -> dict[str, list[str]]:
    show = "from IPython.display import display\n"
    return {
        "probe-slider.ipynb": [
            f"{show}from widgets import EvidenceSlider\nfor _ in range({copies}):\n"
            "    display(EvidenceSlider('massage'))"
        ],
        "probe-quiz.ipynb": [
            f"{show}from widgets import Quiz\nfor _ in range({copies}):\n    display(Quiz('start-here'))"
        ],
    }


def new_notebook(sources: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_baselines(folder: Path) -> Path:
    """Write every baseline notebook into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sources in BASELINES.items():
        nbformat.write(new_notebook(sources), folder / name)
    return folder




def lessons() -> list[Path]:
    """The lessons of the course manifest that exist, in course order."""
    from widgets.course import course

    return [LESSONS / lesson.file for lesson in course().lessons if (LESSONS / lesson.file).exists()]


def heaviest_lesson() -> Path | None:
    """The lesson with the most code (a proxy for the most widgets), or None before lessons exist."""
    found = lessons()
    if not found:
        return None

    def code_size(path: Path) -> int:
        nb = nbformat.read(path, as_version=4)
        return sum(len(cell.source) for cell in nb.cells if cell.cell_type == "code")

    return max(found, key=code_size)


def widget_views(nb: nbformat.NotebookNode) -> int:
    """How many widget views the executed notebook displays at top level."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    )
