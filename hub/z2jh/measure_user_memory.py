"""Measure one student's memory on a hub: their JupyterLab server plus one kernel that ran a lesson.

Starts ``jupyter lab`` from this checkout's Python (as a single-user server would run), loads the
lab page and the course folder through it, runs a lesson (page 04d, the evidence slider, quiz and
explorer) in a kernel, and reports the resident set size (RSS, what a container's memory limit
counts) and the proportional set size (PSS: shared pages split between processes) of each. Prints
one JSON line per run and the medians. Used for the sizing in hub/z2jh/README.md.

    .venv/bin/python hub/z2jh/measure_user_memory.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
LESSON = REPO / "lessons" / "04d-massage.ipynb"
MB = 1024 * 1024


def _memory(process: psutil.Process) -> tuple[float, float]:
    """(PSS, RSS) of a process and its children, in MB. A container's memory limit counts RSS."""
    pss = rss = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss, rss = pss + info.pss, rss + info.rss
    return pss / MB, rss / MB


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_run() -> dict[str, float]:
    """Server and kernel PSS (MB) for one student: lab page loaded, one lesson run."""
    token, port = secrets.token_hex(16), _free_port()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "JUPYTER_RUNTIME_DIR": str(Path(home) / "runtime")}
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    for path in ("/lab", "/api/contents/lessons", "/lab/api/settings"):
                        auth = {"Authorization": f"token {token}"}
                        request = urllib.request.Request(base + path, headers=auth)
                        with urllib.request.urlopen(request, timeout=30) as response:
                            response.read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.5)
            time.sleep(2)
            server_pss, server_rss = _memory(psutil.Process(server.pid))
            nb = nbformat.read(LESSON, as_version=4)
            client = NotebookClient(nb, timeout=120, kernel_name="python3",
                                    resources={"metadata": {"path": str(LESSON.parent)}})
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                assert client.km is not None
                kernel_pid = client.km.provisioner.pid  # type: ignore[union-attr]
                kernel_pss, kernel_rss = _memory(psutil.Process(kernel_pid))
        finally:
            server.terminate()
            server.wait(30)
    return {"server_pss_mb": round(server_pss, 1), "kernel_pss_mb": round(kernel_pss, 1),
            "server_rss_mb": round(server_rss, 1), "kernel_rss_mb": round(kernel_rss, 1),
            "total_rss_mb": round(server_rss + kernel_rss, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    runs = [one_run() for _ in range(parser.parse_args().runs)]
    for run in runs:
        print(json.dumps(run))
    print(json.dumps({f"median_{name}": statistics.median(float(r[name]) for r in runs) for name in runs[0]}))


if __name__ == "__main__":
    main()
