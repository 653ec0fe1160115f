"""Run the benchmarks and print one table of ratios: ``python -m benchmarks [--quick] [--load] [--only ...]``.

The table is also written to ``benchmarks/results/latest.md``; the kernels' and servers' chatter
goes to ``benchmarks/results/bench.log``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks import browser, execution, grading, memory, patient, size
from benchmarks.core import RESULTS, Row, report
from benchmarks.load import run_load
from benchmarks.notebooks import LESSONS, heaviest_lesson, lessons, write_baselines

MEASURES = ["execution", "patient", "browser", "memory", "grading", "size", "load"]


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Send this process's and its children's stderr to ``path`` (kernels and servers are chatty)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def load_rows(sessions: int) -> list[Row]:
    lesson = heaviest_lesson()
    if lesson is None:
        return [Row("load", "no lessons yet", None, "s")]
    # While 100 pages render at once on 2 cores, a kernel can wait more than 10 s between two cells,
    # and the culler stops idle kernels that no page has connected to yet: so a longer timeout here.
    cull = 10 if sessions <= 30 else 60
    result = run_load(LESSONS, lesson.name, sessions, cull_timeout=cull, time_limit=600)
    print(result.summary(), file=sys.stdout)
    what = f"load: {result.rendered}/{sessions} sessions of {lesson.name}"
    note = "; ".join(result.errors[:2])
    return [
        Row(what, "render p50", result.p50 if result.rendered else None, "s", note=note),
        Row(what, "render p95", result.p95 if result.rendered else None, "s"),
        Row(what, "memory per session (kernel + server growth)", result.mb_per_session, "MB"),
        Row(what, "memory in all (server and sessions)", result.total_mb, "MB"),
        Row(what, "one visitor beyond the limit: HTTP status (503 = the busy page)",
            result.busy_status, "", note="" if result.busy_status == 503 else "expected 503"),
        Row(what, "files written by the sessions", len(result.written), "", max_value=0,
            note=", ".join(result.written[:3])),
        Row(what, f"idle kernels culled after close (timeout {cull} s)", result.cull_seconds, "s",
            max_value=cull + 20,
            note=f"{result.kernels_left} left" if result.kernels_left else ""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 repetition, 1 lesson, 3 submissions (smoke)")
    parser.add_argument("--load", action="store_true", help="run only the load test (100 sessions)")
    parser.add_argument("--only", nargs="+", choices=MEASURES, help="run only these measures")
    parser.add_argument("--reps", type=int, default=5, help="measured repetitions (median taken)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md", help="where to write the table")
    parser.add_argument("--sessions", type=int, default=100, help="concurrent sessions in the load test")
    args = parser.parse_args(argv)
    # Stop cleanly on SIGTERM too: the context managers then stop every server and kernel started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    reps, warmup = (1, 0) if args.quick else (args.reps, 1)
    chosen = args.only or (["load"] if args.load else MEASURES)
    if args.quick and not args.only:
        chosen = ["execution", "browser", "memory", "grading"]
    found = lessons()[:1] if args.quick else lessons()
    class_size = 3 if args.quick else 100
    sessions = 3 if args.quick else args.sessions

    RESULTS.mkdir(exist_ok=True)
    started = time.time()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lbp-bench-") as tmp, stderr_to(RESULTS / "bench.log"):
        baselines = write_baselines(Path(tmp) / "baselines")
        views = {p.name: 1 for p in found}

        def run(name: str, measure: Callable[[], list[Row]]) -> None:
            if name not in chosen:
                return
            print(f"measuring {name} ...", flush=True)
            try:
                rows.extend(measure())
            except Exception as err:
                traceback.print_exc()
                rows.append(Row(name, "all", None, "", note=f"{type(err).__name__}: {str(err)[:120]}"))

        def run_execution() -> list[Row]:
            found_rows, counted = execution.measure(found, reps, warmup)
            views.clear()
            views.update(counted)
            return found_rows

        run("execution", run_execution)
        run("patient", lambda: patient.measure(LESSONS, Path(tmp) / "bare", reps, warmup, args.quick))
        run("browser", lambda: browser.measure(LESSONS, views, baselines, reps, warmup))
        run("memory", lambda: memory.measure(LESSONS, list(views), baselines, reps))
        run("grading", lambda: grading.measure(reps, warmup, class_size))
        run("size", size.measure)
        run("load", lambda: load_rows(sessions))

    title = f"Benchmarks (median of {reps} runs after {warmup} warm-up)"
    if args.quick:
        title = "Benchmarks (quick smoke run: 1 repetition, no warm-up)"
    text = report(rows, title, started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(row.status == "ERROR" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
