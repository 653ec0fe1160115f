"""Measure one student's memory on a hub: their JupyterLab server plus one kernel that ran a lesson.

Starts ``jupyter lab`` from this checkout's Python (a hub's ``jupyterhub-singleuser`` is the same
server with the hub's login added), loads the lab page, its settings and the course folder through
it, then opens a lesson the way JupyterLab does: a session (``POST /api/sessions``) makes the server
start the kernel, and every code cell runs through the server's kernel websocket. It then sums the
memory of the server's process tree (the server and its kernel): RSS, resident memory, which is
what a container's memory limit counts (shared libraries included, as each container has its own
copy), and PSS, where pages shared between the processes are split between them. Prints one JSON
line per run and then the medians. Used for the sizing in hub/z2jh/README.md.

    .venv/bin/python hub/z2jh/measure_user_memory.py --runs 5
    .venv/bin/python hub/z2jh/measure_user_memory.py --runs 5 --lesson lessons/04d-massage.ipynb
    .venv/bin/python hub/z2jh/measure_user_memory.py --runs 3 --lesson lessons/02-*.ipynb lessons/03-*.ipynb

With several lessons, each gets its own kernel, as when a student keeps several lessons open.
"""

from __future__ import annotations

import argparse
import datetime
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
import uuid
from pathlib import Path
from typing import Any

import nbformat
import psutil
import websocket

REPO = Path(__file__).resolve().parents[2]
DEFAULT_LESSON = "lessons/02-acute-first-aid.ipynb"
MIB = 1024 * 1024


def _memory(process: psutil.Process) -> tuple[float, float]:
    """(PSS, RSS) of a process and all its descendants, in MiB."""
    pss = rss = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss, rss = pss + info.pss, rss + info.rss
    return pss / MIB, rss / MIB


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A JupyterLab server on a free port, with a token, a fresh home and the checkout as its root."""

    def __init__(self, home: str) -> None:
        self.token, port = secrets.token_hex(16), _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "HOME": home, "JUPYTER_RUNTIME_DIR": str(Path(home) / "runtime")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={REPO}", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"token {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data=data, headers=headers,
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if response.headers.get_content_type() == "application/json" else None

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                self.request("/api/status")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.5)


def _run_cells(server: Server, kernel_id: str, lesson: Path) -> None:
    """Run every code cell of ``lesson`` through the server's websocket to the kernel; raise on an error."""
    session = uuid.uuid4().hex
    ws = websocket.create_connection(
        f"{server.base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?session_id={session}",
        header=[f"Authorization: token {server.token}"], timeout=180)
    try:
        for cell in nbformat.read(lesson, as_version=4).cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": "student", "session": session,
                           "msg_type": "execute_request", "version": "5.3",
                           "date": datetime.datetime.now(datetime.UTC).isoformat()},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": cell.source, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            while True:
                frame = ws.recv()
                if isinstance(frame, bytes):  # a message with binary buffers (widget data): not the reply
                    continue
                message = json.loads(frame)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "error":
                    raise RuntimeError(f"{lesson.name}: {message['content']['ename']}: "
                                       f"{message['content']['evalue']}")
                if message["msg_type"] == "execute_reply":
                    break
    finally:
        ws.close()


def one_run(lessons: list[Path]) -> dict[str, float]:
    """Memory (MiB) of one student's server tree: lab page loaded, each lesson run in a kernel of its own."""
    with tempfile.TemporaryDirectory() as home:
        server = Server(home)
        try:
            server.wait_until_up()
            # What the browser asks for when JupyterLab opens on the course.
            for path in ("/lab", "/lab/api/settings", "/api/contents/lessons", "/api/kernelspecs"):
                server.request(path)
            time.sleep(2)
            server_pss, server_rss = _memory(psutil.Process(server.process.pid))
            for lesson in lessons:
                relative = lesson.relative_to(REPO).as_posix()
                session = server.request("/api/sessions", {"path": relative, "name": lesson.name,
                                                           "type": "notebook", "kernel": {"name": "python3"}})
                _run_cells(server, session["kernel"]["id"], lesson)
            time.sleep(2)
            total_pss, total_rss = _memory(psutil.Process(server.process.pid))
        finally:
            server.process.terminate()
            server.process.wait(30)
    # The server's own figure is taken before any kernel starts; the kernels' is the difference (it
    # includes what the server added to keep them).
    return {"server_rss_mib": round(server_rss, 1), "kernels_rss_mib": round(total_rss - server_rss, 1),
            "total_rss_mib": round(total_rss, 1), "server_pss_mib": round(server_pss, 1),
            "total_pss_mib": round(total_pss, 1)}


def main() -> None:
    """Measure ``--runs`` times and print each run and the medians as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lesson", nargs="+", default=[DEFAULT_LESSON],
                        help="one or more notebooks, relative to the checkout; one kernel each")
    args = parser.parse_args()
    lessons = [(REPO / lesson).resolve() for lesson in args.lesson]
    runs = [one_run(lessons) for _ in range(args.runs)]
    for run in runs:
        print(json.dumps({"lessons": args.lesson, **run}))
    medians = {f"median_{name}": round(statistics.median(r[name] for r in runs), 1) for name in runs[0]}
    print(json.dumps({"lessons": args.lesson, "runs": len(runs), **medians}))


if __name__ == "__main__":
    main()
