"""Kernel memory in a Voila session: each lesson against a bare kernel with ipywidgets imported.

A session is what a browser does (render the page, kernel info, fetch the widget state); then the
kernel's VmRSS is read from ``/proc/<pid>/status`` and the kernel is shut down.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import psutil

from benchmarks.core import Row
from benchmarks.kernel_client import KernelSocket, render
from benchmarks.load import kernel_processes
from tests.servers import Server, voila_server


def vm_rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def kernel_pid(server: Server, kernel_id: str) -> int:
    """The pid of the kernel whose connection file names ``kernel_id``."""
    for proc in kernel_processes(server.proc.pid):
        try:
            if any(kernel_id in part for part in proc.cmdline()):
                return proc.pid
        except psutil.NoSuchProcess:
            continue
    raise RuntimeError(f"kernel {kernel_id} not found under the Voila server")


def session_rss(server: Server, notebook: str) -> float:
    """Open one session of ``notebook``, read its kernel's RSS, shut the kernel down."""
    kernel_id, _ = render(server.url, notebook)
    with KernelSocket(server.port, kernel_id) as sock:
        sock.kernel_info()
        sock.widget_states()
        rss = vm_rss_mb(kernel_pid(server, kernel_id))
        sock.send("shutdown_request", {"restart": False}, channel="control")
    return rss


def measure(lesson_dir: Path, lessons: list[str], baseline_dir: Path, reps: int) -> list[Row]:
    with voila_server(baseline_dir) as server:
        bare = statistics.median(session_rss(server, "bare-widgets.ipynb") for _ in range(reps))
    rows = []
    with voila_server(lesson_dir) as server:
        for name in lessons:
            try:
                value = statistics.median(session_rss(server, name) for _ in range(reps))
                rows.append(Row("kernel memory (RSS)", name, value, "MB", baseline=bare, max_ratio=1.3))
            except Exception as err:  # one broken lesson must not hide the others
                rows.append(Row("kernel memory (RSS)", name, None, "MB", note=f"{type(err).__name__}: {err}"))
    return rows
