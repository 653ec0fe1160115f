"""Start real servers for tests and benchmarks: hermetic, on a free loopback port, always stopped.

Shared by the browser tests, the reliability tests and the benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hermetic_env(home: Path) -> dict[str, str]:
    """An environment whose Jupyter, IPython and Chromium state lives under ``home``."""
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / ".ipython"),
        TMPDIR=str(home / "tmp"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONPATH=str(REPO),
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def wait_for_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer (a 404 for a folder without a course home, say) means it is up
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen
    log: Path
    home: Path


@contextlib.contextmanager
def voila_server(
    notebook_dir: Path | str = "lessons", *extra_args: str, startup_timeout: float = 60.0,
    bare: bool = False,
) -> Iterator[Server]:
    """Serve ``notebook_dir`` as `make start` does: the course's server from the repo root.

    With ``bare``, plain ``voila`` from an empty folder instead: Voila's defaults, no course config
    (the baseline of the benchmarks).
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="voila-home-") as tmp:
        home = Path(tmp)
        log = home / "voila.log"
        program = [str(BIN / "voila")] if bare else [sys.executable, "-m", "widgets.serve"]
        cmd = [
            *program, str(REPO / notebook_dir), "--no-browser",
            "--Voila.ip=127.0.0.1", f"--port={port}", *extra_args,
        ]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=home if bare else REPO, env=hermetic_env(home), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(url + "/", startup_timeout, proc)
            yield Server(url=url, port=port, proc=proc, log=log, home=home)
        finally:
            stop(proc)


def wait_until_idle(server: Server, timeout: float = 180.0, quiet_percent: float = 10.0) -> None:
    """Wait until the server and its kernels use less than ``quiet_percent`` of one core for a second.

    A visit measured while earlier kernels still run their lessons would time them, not the page.
    """
    deadline = time.monotonic() + timeout
    root = psutil.Process(server.proc.pid)
    while time.monotonic() < deadline:
        procs = [root, *root.children(recursive=True)]
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.cpu_percent(None)
        time.sleep(1.0)
        busy = 0.0
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                busy += proc.cpu_percent(None)
        if busy < quiet_percent:
            return
    raise TimeoutError(f"the server was still busy after {timeout:g} s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a server and every process it started (kernels included)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)
