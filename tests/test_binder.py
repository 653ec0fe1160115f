"""binder/ builds the environment CI tests, and the course runs in it.

The slow test builds a fresh virtual environment from the binder/ files alone, the way
repo2docker's pip path does (`pip install -r binder/requirements.txt`, then `binder/postBuild`, in
a copy of the repository), runs the course home with nbclient, and serves it with Voila as a
Jupyter server extension, as Binder does for `?urlpath=voila/render/...`.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.servers import REPO, free_port, stop, wait_for_http
from widgets.course import course

BINDER = REPO / "binder"
HOME = f"lessons/{course().lessons[0].file}"
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "test-artifacts", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info",
    "build", "gradebook.db", "answers*.json",
)


def test_pins_match_the_tested_environment():
    """binder/requirements.txt pins exactly the versions installed where the tests run."""
    result = subprocess.run(
        [sys.executable, str(BINDER / "freeze.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_pins_the_tested_python():
    wanted = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert wanted == f"python-{sys.version_info.major}.{sys.version_info.minor}"


def test_requirements_are_all_pinned():
    lines = [
        ln.strip() for ln in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines[-1] == "-e .", "the course package itself must be installed last"
    loose = [ln for ln in lines[:-1] if "==" not in ln]
    assert not loose, f"unpinned requirements: {loose}"


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{output}"
    return result.stdout


@pytest.mark.slow
def test_fresh_binder_environment_runs_the_course(tmp_path, hermetic_home):
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=COPY_IGNORE)
    venv = tmp_path / "venv"
    _home, env = hermetic_home
    for name in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV"):  # nothing from the test environment
        env.pop(name, None)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    run([sys.executable, "-m", "venv", str(venv)], repo, env, 120)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"], repo, env, 900)
    run(["bash", "binder/postBuild"], repo, env, 120)
    run([python, "-m", "pip", "check"], repo, env, 120)

    # One lesson, executed headless in the Binder environment.
    run(
        [python, "-c", "import nbclient, nbformat, sys; nb = nbformat.read(sys.argv[1], 4); "
         "nbclient.NotebookClient(nb, timeout=120, resources={'metadata': {'path': 'lessons'}}).execute()",
         HOME],
        repo, env, 300,
    )

    # Voila as Binder runs it: a Jupyter server started in the repository root.
    port = free_port()
    log = tmp_path / "server.log"
    cmd = [str(venv / "bin" / "jupyter-server"), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
           "--IdentityProvider.token=", "--ServerApp.password="]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/api", 60, proc)
        request = urllib.request.Request(f"{base}/voila/render/{HOME}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=120) as response:
            encoding = response.headers.get("Content-Encoding")
            body = response.read()
        html = (gzip.decompress(body) if encoding == "gzip" else body).decode("utf-8")
    finally:
        stop(proc)
    server_log = log.read_text(encoding="utf-8", errors="replace")
    assert "application/vnd.jupyter.widget-view+json" in html, "the course home rendered no widget"
    assert "There was an error when executing cell" not in html, server_log[-3000:]
    assert "cdn.jsdelivr.net" not in html, "the course template was not used (Font Awesome from a CDN)"
    assert "Culling kernels with idle durations > 600" in server_log, "idle-kernel culling is not set"
    assert encoding == "gzip", "the server does not compress its pages"
