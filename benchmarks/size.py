"""Installed size: the course's runtime environment against jupyterlab + ipywidgets + nbgrader + voila.

Both environments are built once with the same interpreter and the same versions as ``.venv``
(pip's cache makes this fast) and kept under ``~/.cache/lbp-bench/``, keyed by their requirements.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from benchmarks.core import REPO, Row

CACHE = Path(os.environ.get("LBP_BENCH_CACHE", Path.home() / ".cache" / "lbp-bench"))
STACK = ["jupyterlab", "ipywidgets", "nbgrader", "voila"]
MB = 1e6


def tree_size(root: Path) -> int:
    """Bytes of every regular file under ``root`` (symlinks not followed)."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def project_requirements() -> list[str]:
    """What Binder installs: ``binder/requirements.txt`` if present, else the runtime dependencies."""
    binder = REPO / "binder" / "requirements.txt"
    if binder.exists():
        lines = [line.split("#")[0].strip() for line in binder.read_text().splitlines()]
        reqs = [line for line in lines if line and not line.startswith("-e") and line not in (".", "./")]
        return [*reqs, str(REPO)] if any(line in (".", "./") for line in lines) else reqs
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], str(REPO)]


def venv(name: str, requirements: list[str]) -> Path:
    """A cached virtual environment holding ``requirements`` (built on first use)."""
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{key}"
    if (path / ".complete").exists():
        return path
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    done = subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-input", *requirements],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip could not build {path}:\n{done.stderr[-2000:]}")
    (path / ".complete").write_text("\n".join(requirements))
    return path


def measure() -> list[Row]:
    baseline = venv("baseline", [f"{name}=={version(name)}" for name in STACK])
    project = venv("project", project_requirements())
    dev = Path(sys.prefix)
    rows = [
        Row("installed size", "runtime environment (what Binder installs)", tree_size(project) / MB, "MB",
            baseline=tree_size(baseline) / MB, max_ratio=1.5),
    ]
    if dev != Path(sys.base_prefix):
        rows.append(Row("installed size", "development .venv (with test tools)", tree_size(dev) / MB, "MB",
                        baseline=tree_size(baseline) / MB))
    return rows
