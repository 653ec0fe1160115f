"""Smoke test of the benchmark harness: one repetition on one lesson, table printed and written.

The real benchmarks (``make bench``) are not part of ``make test``; this only proves that they run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import REPO


@pytest.mark.slow
@pytest.mark.browser
def test_quick_benchmark_prints_and_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "latest.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "execution", "patient", "browser",
         "memory", "--output", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = out.read_text(encoding="utf-8")
    assert table.strip() in done.stdout
    for measure in ("headless execution", "patient: time to text, loopback", "patient: transfer, first visit",
                    "interaction round trip", "Voila time to interactive", "kernel memory (RSS)"):
        assert f"| {measure} |" in table, f"no {measure} row"
    assert "ERROR" not in table
    assert "cores" in table  # the machine line
