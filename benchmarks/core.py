"""Rows of the benchmark table, timing helpers, the machine description and the Markdown table."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One line of the table: a measure of the course against its baseline."""

    measure: str
    item: str
    value: float | None
    unit: str
    baseline: float | None = None
    max_ratio: float | None = None
    max_value: float | None = None
    note: str = ""
    min_ratio: float | None = None  # for "more is better" measures (throughput)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def status(self) -> str:
        if self.value is None:
            return "ERROR"
        missed = (self.max_ratio is not None and self.ratio is not None and self.ratio > self.max_ratio) or (
            self.max_value is not None and self.value > self.max_value
        ) or (self.min_ratio is not None and self.ratio is not None and self.ratio < self.min_ratio)
        if self.max_ratio is None and self.max_value is None and self.min_ratio is None:
            return "info"
        return "MISSED" if missed else "ok"

    @property
    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        if self.min_ratio is not None:
            parts.append(f"≥ {self.min_ratio:g}×")
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value:g} {self.unit}")
        return ", ".join(parts) or "—"


def median_time(run: Callable[[], float | None], reps: int, warmup: int = 1) -> float:
    """Median of ``reps`` runs after ``warmup`` discarded runs.

    ``run`` either returns its own measurement (seconds or ms, as the caller likes) or None, in
    which case the wall time of the call in seconds is used.
    """
    samples = []
    for i in range(warmup + reps):
        start = time.perf_counter()
        measured = run()
        elapsed = time.perf_counter() - start if measured is None else measured
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples)


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def machine() -> str:
    """A one-line description of the machine the table was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table."""
    lines = [
        "| measure | item | course | baseline | ratio | target | status |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        status = row.status + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {row.measure} | {row.item} | {_fmt(row.value, row.unit)} | {_fmt(row.baseline, row.unit)} "
            f"| {ratio} | {row.target} | {status} |"
        )
    return "\n".join(lines)


def report(rows: list[Row], title: str, started: float) -> str:
    """The full Markdown report: title, machine, table, missed targets."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(started))
    took = time.time() - started
    missed = [r for r in rows if r.status in ("MISSED", "ERROR")]
    text = [
        f"## {title}",
        "",
        f"Measured {when} on {machine()}; run took {took:.0f} s.",
        "",
        table(rows),
        "",
    ]
    if missed:
        text.append(f"Missed or failed: {len(missed)} of {len(rows)} rows.")
    return "\n".join(text) + "\n"
