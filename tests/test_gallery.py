"""The widget gallery notebook executes headless, shows every component, and is stored clean."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

GALLERY = Path(__file__).parent.parent / "lessons" / "widget-gallery.ipynb"
COMPONENTS = ("EvidenceSlider", "Quiz", "EvidenceExplorer", "FactorSorter", "RecoverySimulator",
              "RiskStratifier")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_gallery_is_committed_without_outputs() -> None:
    nb = nbformat.read(GALLERY, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_gallery_executes_and_every_widget_renders(tmp_path: Path) -> None:
    nb = nbformat.read(GALLERY, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in COMPONENTS:
        assert f"widgets.{name}(" in source
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   store_widget_state=True).execute()
    views = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            assert output.output_type != "error", output
            assert output.output_type != "stream" or output.name != "stderr", output.text
            views += WIDGET_VIEW in output.get("data", {})
    assert views == sum(1 for c in nb.cells if c.cell_type == "code") - 1  # all but `import widgets`
    assert nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    assert list(tmp_path.iterdir()) == []  # default mode writes nothing
