"""Patients' pages store nothing: a Voila page neither reads nor writes a student's progress file.

The course's own server (``widgets.serve``, warm kernels included) serves a copy of the course home
and lesson 02 from a folder that already holds a switched-on progress file. The pages render the
review's fixed questions (the file is not read), offer no box to tick, and answering the review
through the kernel's websocket, as the browser does, changes no file in the folder.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.kernel_client import KernelSocket, render
from benchmarks.load import snapshot
from tests.servers import voila_server
from widgets.lesson_parts import LESSONS
from widgets.progress import PROGRESS_FILE
from widgets.review import HEADING, candidates, choose

LESSON = "02-acute-first-aid.ipynb"
HOME = "00-start-here.ipynb"


def html_values(states: dict[str, Any]) -> list[str]:
    return [s["state"].get("value", "") for s in states.values()
            if s["state"].get("_model_name") == "HTMLModel"]


def message(sock: KernelSocket, model_id: str, data: dict[str, Any]) -> None:
    sock.send("comm_msg", {"comm_id": model_id, "data": data})


@pytest.mark.slow
def test_a_voila_page_neither_reads_nor_writes_progress(tmp_path: Path) -> None:
    site = tmp_path / "lessons"
    site.mkdir()
    for name in (HOME, LESSON):
        shutil.copy(LESSONS / name, site / name)
    pool = candidates("02")
    fixed = choose(pool, "02")
    # Were the file read, these two (answered wrong) would be asked instead of the fixed two.
    wrong = [c.key for c in pool if c not in fixed][:2]
    questions = {c.key: {"right": c.key not in wrong, "attempts": 1} for c in pool}
    (site / PROGRESS_FILE).write_text(json.dumps({"version": 1, "on": True, "questions": questions}))
    before = snapshot(site)
    with voila_server(site) as server:
        kernel_id, _page = render(server.url, HOME)
        with KernelSocket(server.port, kernel_id) as sock:
            sock.kernel_info()
            states = sock.widget_states()
        texts = " ".join(html_values(states))
        assert "This web page stores nothing" in texts
        assert not [s for s in states.values() if s["state"].get("description", "").startswith("Keep my")]

        kernel_id, _page = render(server.url, LESSON)
        with KernelSocket(server.port, kernel_id) as sock:
            sock.kernel_info()
            states = sock.widget_states()
            texts = " ".join(html_values(states))
            assert HEADING in texts
            for c in fixed:
                assert html.escape(c.question.prompt) in texts, f"the fixed question {c.key} is not shown"
            for key in wrong:
                prompt = next(c.question.prompt for c in pool if c.key == key)
                assert html.escape(prompt) not in texts, f"{key} is shown: the progress file was read"
            # Answer every question on the page and press every Check button, as a visitor would.
            for model_id, s in states.items():
                state = {"RadioButtonsModel": {"index": 0}, "CheckboxModel": {"value": True}}.get(
                    s["state"].get("_model_name"))
                if state is not None:
                    message(sock, model_id, {"method": "update", "state": state, "buffer_paths": []})
            checks = [m for m, s in states.items() if s["state"].get("description") == "Check answer"]
            assert len(checks) >= 2
            for model_id in checks:
                message(sock, model_id, {"method": "custom", "content": {"event": "click"}})
            last = sock.send("kernel_info_request", {})
            sock.idle_after(last)
            time.sleep(1)
            after_click = sock.widget_states()
        feedback = " ".join(html_values(after_click))
        assert "Correct." in feedback or "Not quite." in feedback, "the clicks were not handled"
    assert snapshot(site) == before, "a Voila page wrote or changed a file"
    assert json.loads((site / PROGRESS_FILE).read_text())["questions"] == questions
