"""Load: many concurrent Voila sessions of one lesson, then idle-kernel culling.

Each session is a kernel websocket client (see ``kernel_client``): it fetches the rendered page,
waits for its kernel to answer and for the widget state to arrive, exactly what a browser needs
before the page is interactive. Loopback only; every wait is bounded, so a run always stops.
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.core import percentile
from benchmarks.kernel_client import KernelSocket, render
from tests.servers import voila_server, wait_until_idle

MB = 1024 * 1024


@dataclass
class LoadResult:
    """What a load run measured."""

    notebook: str
    sessions: int
    render_seconds: list[float] = field(default_factory=list)
    widget_models: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_mb_before: float = 0.0
    server_mb_loaded: float = 0.0
    kernel_mb: list[float] = field(default_factory=list)
    cull_timeout: float = 0.0
    cull_seconds: float | None = None
    kernels_left: int = 0
    busy_status: int | None = None  # what one visitor more than the limit got
    busy_text: str = ""
    written: list[str] = field(default_factory=list)  # files the sessions created or changed

    @property
    def rendered(self) -> int:
        return len(self.render_seconds)

    @property
    def p50(self) -> float:
        return percentile(self.render_seconds, 50)

    @property
    def p95(self) -> float:
        return percentile(self.render_seconds, 95)

    @property
    def total_mb(self) -> float:
        """Every kernel plus the server, while the sessions were held."""
        return sum(self.kernel_mb) + self.server_mb_loaded

    @property
    def mb_per_session(self) -> float:
        """Kernel memory plus the server's growth, divided by the sessions held."""
        growth = max(0.0, self.server_mb_loaded - self.server_mb_before)
        return (sum(self.kernel_mb) + growth) / max(1, self.rendered)

    def summary(self) -> str:
        cull = f"{self.cull_seconds:.1f} s" if self.cull_seconds is not None else "NOT culled"
        return (
            f"{self.rendered}/{self.sessions} sessions of {self.notebook} rendered; "
            f"render p50 {self.p50:.2f} s, p95 {self.p95:.2f} s; "
            f"{self.mb_per_session:.0f} MB per session (kernel median "
            f"{statistics.median(self.kernel_mb) if self.kernel_mb else 0:.0f} MB, server "
            f"{self.server_mb_before:.0f} -> {self.server_mb_loaded:.0f} MB; {self.total_mb:.0f} MB in all); "
            f"one visitor more got HTTP {self.busy_status}; files written: {len(self.written)}; "
            f"idle kernels culled after {cull} (timeout {self.cull_timeout:g} s)"
        )


def kernel_processes(server_pid: int) -> list[psutil.Process]:
    """The kernels started by the Voila server (its descendants running ipykernel)."""
    found = []
    for proc in psutil.Process(server_pid).children(recursive=True):
        try:
            if any("ipykernel" in part for part in proc.cmdline()):
                found.append(proc)
        except psutil.NoSuchProcess:
            continue
    return found


def rss_mb(proc: psutil.Process) -> float:
    try:
        return proc.memory_info().rss / MB
    except psutil.NoSuchProcess:
        return 0.0


def snapshot(folder: Path) -> dict[str, float]:
    """Every file under ``folder`` with its modification time."""
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def _open_session(base_url: str, port: int, notebook: str, timeout: float) -> tuple[KernelSocket, float, int]:
    start = time.perf_counter()
    kernel_id, _page = render(base_url, notebook, timeout=timeout)
    sock = KernelSocket(port, kernel_id, timeout=timeout)
    try:
        sock.kernel_info()
        states = sock.widget_states()
    except BaseException:
        sock.close()
        raise
    return sock, time.perf_counter() - start, len(states)


def run_load(
    notebook_dir: Path,
    notebook: str,
    sessions: int,
    cull_timeout: float = 10.0,
    time_limit: float = 300.0,
) -> LoadResult:
    """Open ``sessions`` concurrent sessions of ``notebook``, measure, close them, time the culling.

    The server's session limit is set to ``sessions``: while they are held, one visitor more must
    get the "busy" page. No session may write a file in the served folder.
    """
    result = LoadResult(notebook=notebook, sessions=sessions, cull_timeout=cull_timeout)
    cull_args = (
        f"--MappingKernelManager.cull_idle_timeout={int(cull_timeout)}",
        "--MappingKernelManager.cull_interval=1",
        f"--CourseVoila.max_sessions={sessions}",
    )
    before = snapshot(Path(notebook_dir))
    deadline = time.monotonic() + time_limit
    with voila_server(notebook_dir, *cull_args) as server:
        server_proc = psutil.Process(server.proc.pid)
        wait_until_idle(server)  # the server's spare kernel (widgets.warm_kernels) has started
        idle_kernels = len(kernel_processes(server.proc.pid))  # kept ready, not sessions
        result.server_mb_before = rss_mb(server_proc)
        sockets: list[KernelSocket] = []
        # No `with` block: a session stuck past the time limit must not hold the run; stopping the
        # server at the end breaks its connection and ends its thread.
        pool = ThreadPoolExecutor(max_workers=sessions)
        futures = [
            pool.submit(_open_session, server.url, server.port, notebook, time_limit / 2)
            for _ in range(sessions)
        ]
        wait(futures, timeout=max(1.0, deadline - time.monotonic()))
        pool.shutdown(wait=False, cancel_futures=True)
        for future in futures:
            if not future.done():
                result.errors.append("session did not render before the time limit")
                continue
            if (err := future.exception()) is not None:
                result.errors.append(f"{type(err).__name__}: {err}")
                continue
            sock, seconds, models = future.result()
            sockets.append(sock)
            result.render_seconds.append(seconds)
            result.widget_models.append(models)
        result.server_mb_loaded = rss_mb(server_proc)
        result.kernel_mb = [rss_mb(p) for p in kernel_processes(server.proc.pid)]
        try:
            urllib.request.urlopen(f"{server.url}/voila/render/{notebook}", timeout=60).close()
            result.busy_status = 200
        except urllib.error.HTTPError as err:
            result.busy_status, result.busy_text = err.code, err.read().decode("utf-8", "replace")
        for sock in sockets:
            sock.close()
        closed = time.monotonic()
        limit = closed + cull_timeout + 30.0
        while time.monotonic() < min(limit, deadline + 60.0):
            left = len(kernel_processes(server.proc.pid))
            if left <= idle_kernels:
                result.cull_seconds = time.monotonic() - closed
                break
            time.sleep(0.5)
        result.kernels_left = max(0, len(kernel_processes(server.proc.pid)) - idle_kernels)
    after = snapshot(Path(notebook_dir))
    result.written = sorted(name for name, mtime in after.items() if before.get(name) != mtime)
    return result
