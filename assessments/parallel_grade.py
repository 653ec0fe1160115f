"""Autograde a class on every core: worker processes, each running nbgrader's autograde in process.

- **Workers.** One process per core (``os.cpu_count()``), started once: each loads the course's
  nbgrader config and keeps an ``NbGraderAPI``, so a submission costs what in-process autograde
  costs (about a second), not a new ``nbgrader`` command (about 3.5 s).
- **The gradebook.** Workers write their own submission's grades through nbgrader, each in short
  SQLite transactions; SQLite serialises the writers. A write that still meets "database is
  locked" is graded again (up to ``RETRIES`` times) and reported if it never gets through.
- **Isolation.** Each worker runs in its own process group. A worker that dies (its process, not
  only a kernel: nbgrader already scores a dead kernel's cells 0) is reported and replaced; a
  submission that runs past ``timeout`` seconds is stopped with its worker and kernel, reported
  and left ungraded. Every other submission is graded and saved as usual.
- **Progress.** One line per finished submission, with a bar and the time left at the rate so far.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent
RETRIES = 3
BAR = 20


@dataclass
class Outcome:
    """What happened to one submission."""

    student: str
    ok: bool
    seconds: float
    error: str = ""


def _worker(conn: Connection, root: str) -> None:
    """Grade the students the parent sends, one at a time, until it sends None."""
    os.setsid()  # its own process group: the parent can stop it together with its kernel
    os.chdir(root)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    while (task := conn.recv()) is not None:
        name, student = task
        start = time.perf_counter()
        error = ""
        for attempt in range(1, RETRIES + 1):
            result = api.autograde(name, student, force=True, create=True)
            error = "" if result["success"] else str(result.get("error") or result.get("log", ""))
            if "database is locked" not in error:
                break
            time.sleep(attempt)  # let the other writer finish
        conn.send(Outcome(student, not error, time.perf_counter() - start, error[-2000:]))


class Worker:
    """A worker process, the submission it is grading, and since when."""

    def __init__(self, context: mp.context.BaseContext, root: Path) -> None:
        self.conn, child = context.Pipe()
        self.proc = context.Process(target=_worker, args=(child, str(root)), daemon=True)  # type: ignore[attr-defined]
        self.proc.start()
        child.close()
        self.student: str | None = None
        self.started = 0.0

    def give(self, name: str, student: str) -> None:
        self.student, self.started = student, time.perf_counter()
        self.conn.send((name, student))

    def kill(self) -> None:
        """Stop the worker and everything it started (its kernel included)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.proc.kill()
        self.proc.join(5)

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send(None)
        self.proc.join(30)
        if self.proc.is_alive():
            self.kill()


def _progress(done: int, total: int, outcome: Outcome, elapsed: float) -> str:
    filled = round(BAR * done / total)
    left = elapsed / done * (total - done)
    verdict = "ok" if outcome.ok else "FAILED"
    eta = f"about {left:.0f} s left" if done < total else f"done in {elapsed:.0f} s"
    return (f"[{done}/{total}] [{'#' * filled}{'.' * (BAR - filled)}] {outcome.student}: {verdict} "
            f"({outcome.seconds:.1f} s); {eta}")


def grade_class(name: str, students: list[str], workers: int | None = None, timeout: float = 600.0,
                root: Path = ROOT, progress: bool = True) -> dict[str, Outcome]:
    """Autograde ``students``' submissions of ``name`` on ``workers`` processes; one outcome each."""
    count = max(1, min(workers or os.cpu_count() or 1, len(students)))
    context = mp.get_context("spawn")  # a clean interpreter: no state copied from the caller
    todo = list(students)
    outcomes: dict[str, Outcome] = {}
    pool = [Worker(context, root) for _ in range(count)] if todo else []
    start = time.perf_counter()

    def record(outcome: Outcome) -> None:
        outcomes[outcome.student] = outcome
        if progress:
            print(_progress(len(outcomes), len(students), outcome, time.perf_counter() - start), flush=True)
        if not outcome.ok:
            print(f"{outcome.student}: {outcome.error}", file=sys.stderr, flush=True)

    try:
        for worker in pool:
            if todo:
                worker.give(name, todo.pop(0))
        while len(outcomes) < len(students):
            busy = [w for w in pool if w.student is not None]
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=1.0)
            for index, worker in enumerate(pool):
                if worker.student is None:
                    continue
                outcome: Outcome | None = None
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                if outcome is None and (worker.proc.sentinel in ready or not worker.proc.is_alive()):
                    worker.proc.join(2)  # reap it, so that its exit code is known
                    outcome = Outcome(worker.student, False, time.perf_counter() - worker.started,
                                      f"the grading process stopped (exit code {worker.proc.exitcode})")
                elif outcome is None and time.perf_counter() - worker.started > timeout:
                    outcome = Outcome(worker.student, False, time.perf_counter() - worker.started,
                                      f"stopped after {timeout:g} s: not graded")
                if outcome is None:
                    continue
                record(outcome)
                if not worker.proc.is_alive() or (not outcome.ok and "not graded" in outcome.error):
                    worker.kill()
                    worker = pool[index] = Worker(context, root)
                worker.student = None
                if todo:
                    worker.give(name, todo.pop(0))
    finally:
        for worker in pool:
            if worker.student is None:
                worker.stop()
            else:
                worker.kill()
    return outcomes
