"""Headless execution: every lesson against the same number of empty notebooks (nbclient, one kernel each)."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from benchmarks.core import Row, median_time
from benchmarks.notebooks import new_notebook, widget_views


def execute(path: Path | None, timeout: int = 300) -> tuple[float, nbformat.NotebookNode]:
    """Execute one notebook in its own folder (an empty notebook if ``path`` is None)."""
    nb = nbformat.read(path, as_version=4) if path else new_notebook([])
    folder = path.parent if path else Path.cwd()
    resources = {"metadata": {"path": str(folder)}}
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources).execute()
    return time.perf_counter() - start, nb


def first_error(err: Exception) -> str:
    lines = [line for line in str(err).splitlines() if "Error" in line]
    return (lines[-1] if lines else type(err).__name__)[:120].replace("|", "/")


def measure(lessons: list[Path], reps: int, warmup: int) -> tuple[list[Row], dict[str, int]]:
    """Rows for the whole set and for each lesson, plus the widget views each working lesson displays.

    A lesson that fails to execute gets an ERROR row and is left out of the total (and the
    baseline then counts one empty notebook fewer).
    """
    views: dict[str, int] = {}
    rows: list[Row] = []
    working = []
    for path in lessons:  # one checked run also counts the widget views
        try:
            _seconds, nb = execute(path)
        except (CellExecutionError, TimeoutError, RuntimeError) as err:
            rows.append(Row("headless execution", path.name, None, "s", note=first_error(err)))
            continue
        views[path.name] = widget_views(nb)
        working.append(path)
    per_lesson: dict[str, list[float]] = {p.name: [] for p in working}

    def run_lessons() -> float:
        total = 0.0
        for path in working:
            seconds, _nb = execute(path)
            per_lesson[path.name].append(seconds)
            total += seconds
        return total

    if not working:
        return rows, views
    empty_total = median_time(lambda: sum(execute(None)[0] for _ in working), reps, warmup)
    lessons_total = median_time(run_lessons, reps, max(0, warmup - 1))  # the checked run warmed up
    empty_one = empty_total / len(working)
    rows.insert(0, Row("headless execution", f"{len(working)} lessons together", lessons_total, "s",
                       baseline=empty_total, max_ratio=2.0))
    for name, samples in per_lesson.items():
        ordered = sorted(samples)
        rows.append(Row("headless execution", name, ordered[len(ordered) // 2], "s", baseline=empty_one))
    return rows, views
