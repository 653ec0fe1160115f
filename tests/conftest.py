"""Fixtures shared by the whole suite: the evidence base, a hermetic home, a fresh page.

Servers (Voila, JupyterHub-like processes) are started with ``tests/servers.py``, which the
benchmarks use too; the browser fixtures are in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import hermetic_env
from widgets import _citations
from widgets.evidence import EvidenceBase, load_evidence


@pytest.fixture(scope="session")
def base() -> EvidenceBase:
    """The real evidence base, loaded and validated from the files (not the cached copy)."""
    return load_evidence()


@pytest.fixture
def hermetic_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A temporary home and an environment whose Jupyter, IPython and Chromium state lives in it."""
    home = tmp_path / "home"
    return home, hermetic_env(home)


@pytest.fixture(autouse=True)
def new_page() -> Iterator[None]:
    """Every test starts as a new page: no source cited yet (render and the widgets note them)."""
    _citations.forget()
    yield
    _citations.forget()
