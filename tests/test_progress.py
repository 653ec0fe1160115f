"""A student's progress file: opt-in, round-trips, atomic, a malformed file is named and kept, and
nothing at all in Voila."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pytest

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import ProgressSwitch, Quiz
from widgets.progress import PROGRESS_FILE, VOILA_NOTE, Progress, ProgressError, in_voila

VOILA_VARIABLES = ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL",
                   "SERVER_SOFTWARE")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in VOILA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def answer(quiz: Quiz, question_id: str, right: bool) -> None:
    view = quiz.question(question_id)
    view.input.value = next(o.id for o in view.options if bool(o.correct) == right)
    view.check.click()


def test_nothing_is_written_before_the_student_opts_in(tmp_path: Path) -> None:
    quiz = Quiz("acute-first-aid")
    answer(quiz, "bed-rest", right=True)
    switch = ProgressSwitch()
    assert switch.on is False and switch.box.value is False
    assert "nothing is stored" in switch.note.value
    assert Progress().results() == {}
    Progress().switch(False)  # switching off what was never on stores nothing either
    assert list(tmp_path.iterdir()) == []


def test_ticking_the_box_opts_in_and_quiz_answers_round_trip(tmp_path: Path) -> None:
    switch = ProgressSwitch()
    switch.box.value = True
    assert switch.on and "Progress is on" in switch.note.value
    assert json.loads((tmp_path / PROGRESS_FILE).read_text()) == {"version": 1, "on": True, "questions": {}}
    quiz = Quiz("acute-first-aid")
    answer(quiz, "bed-rest", right=False)
    answer(quiz, "bed-rest", right=True)
    assert Progress().results() == {"acute-first-aid/bed-rest": True}
    stored = json.loads((tmp_path / PROGRESS_FILE).read_text())
    assert stored["questions"] == {"acute-first-aid/bed-rest": {"right": True, "attempts": 2}}
    assert ProgressSwitch().box.value is True, "a new page shows the box ticked"
    assert [p.name for p in tmp_path.iterdir()] == [PROGRESS_FILE], "no temporary file left behind"


def test_a_box_ticked_after_the_lesson_ran_counts_the_next_answer_on_that_page(tmp_path: Path) -> None:
    """The course home has the box and a quiz: ticking it must not need the lesson run again."""
    quiz = Quiz("acute-first-aid")  # the page ran with progress off
    answer(quiz, "bed-rest", right=False)
    ProgressSwitch().box.value = True
    answer(quiz, "bed-rest", right=True)
    stored = json.loads((tmp_path / PROGRESS_FILE).read_text())
    assert stored["questions"] == {"acute-first-aid/bed-rest": {"right": True, "attempts": 1}}


def test_unticking_stops_recording_and_keeps_the_file(tmp_path: Path) -> None:
    progress = Progress(tmp_path / PROGRESS_FILE)
    progress.switch(True)
    progress.record("heat/size", False)
    switch = ProgressSwitch(progress)
    switch.box.value = False
    assert not progress.on and "Progress is off" in switch.note.value
    answer(Quiz("heat"), "size", right=True)
    assert progress.results() == {"heat/size": False}
    assert progress.record("heat/size", True) is False


def test_graded_quizzes_never_write_progress(tmp_path: Path) -> None:
    Progress().switch(True)
    answers = tmp_path / "answers.json"
    quiz = Quiz("acute-first-aid", graded=True, answers_path=answers)
    answer(quiz, "bed-rest", right=True)
    assert Progress().results() == {}


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "cannot be read"),
    ("[1, 2]", "JSON object, not list"),
    ('{"version": 1, "on": "yes"}', '"on": true or false'),
    ('{"version": 1, "on": true, "questions": {"heat/size": "right"}}', '"questions" must map'),
])
def test_a_malformed_file_gives_a_clear_message_and_is_never_overwritten(
    tmp_path: Path, content: str, problem: str,
) -> None:
    path = tmp_path / PROGRESS_FILE
    path.write_text(content)
    progress = Progress(path)
    with pytest.raises(ProgressError, match="Your progress is not being kept") as err:
        progress.record("heat/size", True)
    assert problem in str(err.value) and str(path) in str(err.value)
    with pytest.raises(ProgressError):
        progress.switch(True)
    shown = html.escape(problem)
    switch = ProgressSwitch(progress)  # shows the problem, and ticking does not write
    assert shown in switch._errors.value
    switch.box.value = True
    assert switch.box.value is False and shown in switch._errors.value
    quiz = Quiz("heat")
    assert shown in quiz._errors.value
    answer(quiz, "size", right=True)
    assert path.read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [PROGRESS_FILE]


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    progress = Progress(tmp_path / PROGRESS_FILE)
    progress.switch(True)
    progress.record("heat/size", True)
    before = progress.path.read_text()

    def crash(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        progress.record("heat/size", False)
    assert progress.path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == [PROGRESS_FILE]


@pytest.mark.parametrize("variable", ["VOILA_KERNEL_ID", "VOILA_BASE_URL", "SERVER_SOFTWARE"])
def test_in_voila_nothing_is_read_written_or_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str,
) -> None:
    path = tmp_path / PROGRESS_FILE
    path.write_text(json.dumps({"version": 1, "on": True, "questions": {"heat/size": {"right": False}}}))
    before = path.read_text()
    monkeypatch.setenv(variable, "voila/0.5.13" if variable == "SERVER_SOFTWARE" else "x")
    assert in_voila()
    progress = Progress(path)
    assert progress.on is False and progress.results() == {}
    with pytest.raises(ProgressError, match="stores nothing"):
        progress.switch(True)
    assert progress.record("heat/size", True) is False
    answer(Quiz("heat"), "size", right=True)
    switch = ProgressSwitch(progress)
    assert switch.box is None, "no box to tick on a patient's page"
    assert "stores nothing" in switch.note.value
    assert path.read_text() == before


def test_the_voila_note_reads_at_grade_8_or_below() -> None:
    assert fk_grade(VOILA_NOTE) <= MAX_PATIENT_GRADE
