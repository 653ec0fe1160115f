"""Reliability: a hostile browser client cannot run code or read sources, and answers survive crashes.

Real Voila server, real kernel websocket, real file system; no mocks except where a crash must be
injected in the middle of a write.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.kernel_client import KernelSocket, render
from benchmarks.notebooks import LESSONS, lessons, write_baselines
from tests.servers import REPO, voila_server
from widgets.answers import AnswersError, load_answers, record_answer

EVIDENCE_DIR = REPO / "widgets" / "data" / "evidence"
ASSESSMENT_SOURCES = sorted((REPO / "assessments" / "source").glob("*/*.ipynb"))


def _served_notebook(tmp_path: Path) -> tuple[Path, str]:
    """The folder ``make start`` serves and one of its lessons (a baseline before lessons exist)."""
    found = lessons()
    if found:
        return LESSONS, found[0].name
    return write_baselines(tmp_path / "baselines"), "slider.ipynb"


def _get(port: int, path: str) -> tuple[int, bytes]:
    """GET an exact path (no client-side normalisation of '..')."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# --- no code execution from the browser ---------------------------------------------------------


@pytest.mark.slow
def test_hostile_execute_request_is_refused(tmp_path: Path) -> None:
    folder, notebook = _served_notebook(tmp_path)
    target = tmp_path / "pwned.txt"
    code = f"open({str(target)!r}, 'w').write('owned')"
    with voila_server(folder) as server:
        kernel_id, _ = render(server.url, notebook)
        with KernelSocket(server.port, kernel_id, timeout=20) as sock:
            sent = [
                sock.send("execute_request", {
                    "code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True,
                }),
                sock.send("execute_request", {"code": code, "silent": True}, channel="control"),
                sock.send("execute_request", {
                    "code": "", "silent": True, "user_expressions": {"x": code}, "allow_stdin": False,
                }),
            ]
            # Positive control: the same connection reaches the kernel, and the shell channel is
            # ordered, so an execute request that got through would have run before this reply.
            info = sock.kernel_info()
            assert info["status"] == "ok"
            replies = [m for m in sock.received if m["parent_header"].get("msg_id") in sent]
        log = server.log.read_text(encoding="utf-8", errors="replace")
    assert replies == [], f"the kernel answered a refused request: {replies[:1]}"
    assert not target.exists(), "code sent by a browser client ran in the kernel"
    assert 'Received message of type "execute_request", which is not allowed' in log


@pytest.mark.slow
def test_server_serves_no_source_and_no_data(tmp_path: Path) -> None:
    folder, notebook = _served_notebook(tmp_path)
    secrets = [b"doi"]  # every evidence source file names DOIs
    code_lines = []
    nb = json.loads((folder / notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = "".join(cell["source"])
            code_lines += [line.strip() for line in src.splitlines() if len(line.strip()) >= 20]
    paths = [
        "/api/contents", f"/api/contents/{notebook}", f"/api/contents/{notebook}?content=1",
        f"/files/{notebook}", f"/voila/files/{notebook}", f"/{notebook}", f"/notebooks/{notebook}",
        f"/voila/nbconvert/{notebook}", f"/lab/tree/{notebook}", "/api/kernels", "/api/sessions",
        "/api/terminals",
    ]
    for rel in ["sources.yaml", "reference.yaml", "treatments/massage.yaml"]:
        for prefix in ["/voila/files/", "/files/", "/voila/static/", "/voila/templates/"]:
            paths += [
                f"{prefix}../widgets/data/evidence/{rel}",
                f"{prefix}%2e%2e/widgets/data/evidence/{rel}",
                f"{prefix}..%2fwidgets%2fdata%2fevidence%2f{rel.replace('/', '%2f')}",
            ]
    for source in ASSESSMENT_SOURCES:
        rel = source.relative_to(REPO).as_posix()
        paths += [f"/voila/render/../{rel}", f"/voila/files/../{rel}", f"/voila/render/%2e%2e/{rel}"]
    with voila_server(folder) as server:
        status, page = _get(server.port, f"/voila/render/{notebook}")
        assert status == 200
        leaked = [line for line in code_lines if line.encode() in page]
        assert leaked == [], f"the rendered page shows notebook source: {leaked[:3]}"
        served = {}
        for path in paths:
            status, body = _get(server.port, path)
            if status < 400 or any(s in body for s in secrets) or b'"cells"' in body:
                served[path] = (status, body[:120])
    assert served == {}, f"Voila served what it must not: {served}"


# --- answers record: crashes and corruption ----------------------------------------------------


def test_crash_in_json_dump_loses_no_earlier_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answers.json"
    record_answer("quiz/bank/q1", {"answer": "a", "attempts": 1}, path)
    record_answer("slider/massage", {"prediction": 12.0, "revealed": True}, path)
    before = path.read_bytes()

    def half_written(obj: object, handle, **kwargs: object) -> None:
        handle.write('{"quiz/bank/q1": {"ans')
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", half_written)
    with pytest.raises(OSError, match="disk full"):
        record_answer("quiz/bank/q2", {"answer": "b", "attempts": 1}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(load_answers(path)) == ["quiz/bank/q1", "slider/massage"]
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"], "a temporary file was left behind"


def test_crash_in_replace_loses_no_earlier_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answers.json"
    record_answer("quiz/bank/q1", {"answer": "a", "attempts": 1}, path)
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the student interrupts the kernel at the worst moment

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        record_answer("quiz/bank/q2", {"answer": "b", "attempts": 1}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]


WRITER = """
import sys
from widgets.answers import record_answer
path = sys.argv[1]
print("ready", flush=True)
i = 0
while True:
    record_answer(f"quiz/bank/q{i:05d}", {"answer": "x" * 200, "attempts": i}, path)
    i += 1
"""


@pytest.mark.slow
def test_killed_writer_leaves_a_readable_record_with_every_earlier_answer(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    for delay in (0.3, 0.55, 0.8):
        path.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        answers = load_answers(path)
        keys = sorted(answers)
        assert keys, "the writer recorded nothing before it was killed"
        assert keys == [f"quiz/bank/q{i:05d}" for i in range(len(keys))], "an earlier answer was lost"
        assert all(answers[k]["attempts"] == i for i, k in enumerate(keys))


@pytest.mark.parametrize(
    "content", [b"", b"{", b'{"quiz/b/q1": ', b"\xff\xfe\x00garbage", b"[1, 2]", b"null"]
)
def test_corrupt_record_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    with pytest.raises(AnswersError) as err:
        load_answers(path)
    assert str(path) in str(err.value)


def test_corrupt_record_is_kept_for_the_instructor_when_a_new_answer_arrives(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(b'{"quiz/bank/q1": {"answer": "a", "att')
    record_answer("quiz/bank/q2", {"answer": "b", "attempts": 1}, path)
    assert load_answers(path) == {"quiz/bank/q2": {"answer": "b", "attempts": 1}}
    kept = list(tmp_path.glob("answers*.corrupt*"))
    assert [p.read_bytes() for p in kept] == [b'{"quiz/bank/q1": {"answer": "a", "att']
