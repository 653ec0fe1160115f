"""A student's own progress across lessons: opt-in, JupyterLab only, one JSON file in their folder.

Nothing is stored until the student ticks the box on the course home (lesson 00, in the student
section). The file is ``lbp-progress.json`` in the lessons folder, the working directory of every
lesson's kernel in JupyterLab, so all the lessons share it; on a hub it sits in the student's own
copy of the course. It holds, per question (``<bank id>/<question id>``), whether the last checked
answer was right and how many times the question was checked::

    {"version": 1, "on": true,
     "questions": {"acute-first-aid/bed-rest": {"right": false, "attempts": 1}}}

Writes are atomic (:func:`widgets.answers.write_json_atomic`). A file that cannot be read is never
overwritten: every call that would write raises :class:`ProgressError`, whose message names the file
and says what to do, and the widgets show that message.

Patients' pages (Voila) never store anything: in a Voila kernel (:func:`in_voila`) progress is off
whatever the file says, the file is not even read, and switching it on or recording raises.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Bool

from widgets._base import CourseWidget
from widgets._ui import ErrorBox, esc, status
from widgets.answers import write_json_atomic

PROGRESS_FILE = "lbp-progress.json"
VERSION = 1
# Voila sets these in the environment of a page's kernel; VOILA_KERNEL_ID is set by the page itself,
# before the first cell runs, even in a kernel that was started in advance (widgets.warm_kernels).
VOILA_VARIABLES = ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL")

VOILA_NOTE = (
    "This web page stores nothing. Your answers are gone when you close it. "
    "Only the course in JupyterLab can keep your progress, and only if you ask it to."
)


class ProgressError(ValueError):
    """The progress file cannot be read or written (the message names the file and what to do)."""


def in_voila() -> bool:
    """True in the kernel of a Voila page (patients' pages), where nothing may be stored."""
    return any(os.environ.get(name) for name in VOILA_VARIABLES) or os.environ.get(
        "SERVER_SOFTWARE", "").startswith("voila/")


def progress_path(folder: Path | str | None = None) -> Path:
    """The progress file in ``folder`` (default: the working directory, the lessons folder)."""
    return Path(folder or Path.cwd()) / PROGRESS_FILE


@dataclass
class Progress:
    """The progress file at ``path``; reads it on every call, so all open lessons share it."""

    path: Path = field(default_factory=progress_path)

    def _fix(self, problem: str) -> ProgressError:
        return ProgressError(
            f"{self.path}: {problem}. Your progress is not being kept, and the file was left as it is. "
            f"Fix the file, or delete it and tick the progress box on the course home again."
        )

    def read(self) -> dict[str, Any] | None:
        """The file's content, or None when there is no file (or in Voila); raises if malformed."""
        if in_voila() or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise self._fix(f"the progress file cannot be read ({err})") from None
        if not isinstance(data, dict):
            raise self._fix(f"the progress file must hold a JSON object, not {type(data).__name__}")
        if data.get("version") != VERSION or not isinstance(data.get("on"), bool):
            raise self._fix(f"the progress file needs \"version\": {VERSION} and \"on\": true or false")
        questions = data.get("questions", {})
        if not isinstance(questions, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("right"), bool) for v in questions.values()
        ):
            raise self._fix('"questions" must map each question to {"right": true or false, ...}')
        return data

    @property
    def on(self) -> bool:
        """Whether the student has switched progress on (never in Voila); raises if malformed."""
        data = self.read()
        return bool(data and data["on"])

    def results(self) -> dict[str, bool]:
        """Per question key (``<bank>/<question>``), whether its last checked answer was right."""
        data = self.read()
        return {key: value["right"] for key, value in (data or {}).get("questions", {}).items()}

    def switch(self, on: bool) -> None:
        """Switch progress on or off; the first switch creates the file. Never in Voila."""
        if in_voila():
            raise ProgressError(VOILA_NOTE)
        data = self.read() or {"version": VERSION, "questions": {}}
        if data.get("on") == on:
            return
        if not on and not self.path.exists():
            return  # nothing was ever stored, and switching off stores nothing
        data["on"] = on
        write_json_atomic(self.path, data)

    def record(self, key: str, right: bool) -> bool:
        """Record one checked answer if progress is on; True if it was written. Never in Voila."""
        data = self.read()
        if not data or not data["on"]:
            return False
        entry = data["questions"].setdefault(key, {"attempts": 0})
        entry.update(right=bool(right), attempts=int(entry.get("attempts", 0)) + 1)
        write_json_atomic(self.path, data)
        return True


def recording(progress: Progress | None, errors: ErrorBox) -> Progress | None:
    """Where checked answers are noted: ``progress`` (default: this folder's file), on or off; None in Voila.

    Whether progress is on is read at each check, so a box ticked after a lesson ran counts from the
    next answer on. A malformed file is reported in ``errors`` and gives None: nothing is written to it.
    """
    if in_voila():
        return None
    progress = progress or Progress()
    try:
        progress.read()
    except ProgressError as err:
        errors.show(str(err))
        return None
    return progress


def record_checks(view: Any, key: str, progress: Progress, errors: ErrorBox) -> None:
    """Record each answer checked in a question view (one with ``attempts`` and ``correct``)."""

    def on_check(_change: Any) -> None:
        try:
            progress.record(key, bool(view.correct))
        except (ProgressError, OSError) as err:
            errors.show(str(err))

    view.observe(on_check, names=["attempts"])


class ProgressSwitch(CourseWidget):
    """The opt-in box on the course home: keep my progress in a file in this folder (JupyterLab only).

    In Voila it shows only that the page stores nothing; there is no box to tick.
    """

    on = Bool(False, help="whether progress is kept").tag(sync=True)

    def __init__(self, progress: Progress | None = None) -> None:
        self._prepare()
        self.progress = progress or Progress()
        self.voila = in_voila()
        self.note = w.HTML()
        self.note.add_class("lbp-progress-note")
        if self.voila:  # a patient's page: no box to tick, not even a hidden one
            self.box = None
            self.note.value = f"<p>{esc(VOILA_NOTE)}</p>"
            super().__init__([self.note])
            self.add_class("lbp-progress")
            return
        self.box = w.Checkbox(
            value=False, description="Keep my progress in a file in this folder", indent=False,
            layout=w.Layout(width="auto"),
        )
        self.box.add_class("lbp-progress-box")
        super().__init__([self.box, self.note])
        self.add_class("lbp-progress")
        try:
            self.on = self.box.value = self.progress.on
        except ProgressError as err:
            self._errors.show(str(err))
        self._describe()
        self.box.observe(self._on_toggle, names=["value"])

    def _describe(self) -> None:
        where = f"<code>{esc(str(self.progress.path))}</code>"
        if self.on:
            text = (f"Progress is on. Each answer you check is noted in {where}: only the question and "
                    "whether your answer was right. The quick review at the top of each lesson then "
                    "asks first what you got wrong or have not seen. Untick the box to stop.")
        else:
            text = (f"Progress is off, and nothing is stored. Tick the box to keep, in {where}, which "
                    "questions you answered and whether you got them right. Delete the file at any "
                    "time to forget it.")
        self.note.value = status(text)

    def _on_toggle(self, change: Any) -> None:
        try:
            self.progress.switch(bool(change["new"]))
        except (ProgressError, OSError) as err:
            self._errors.show(str(err))
            if self.box is not None:
                self.box.unobserve(self._on_toggle, names=["value"])
                self.box.value = self.on
                self.box.observe(self._on_toggle, names=["value"])
            return
        self._errors.clear()
        self.on = bool(change["new"])
        self._describe()
