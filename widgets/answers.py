"""Graded mode: write each answer down the moment it is given, and read it back.

nbgrader re-executes a submission from scratch, so a value set in a widget would be lost. In graded
mode a widget stores its answer in ``answers.json`` beside the notebook (nbgrader collects and
autogrades the whole assignment folder). Hidden tests read the file with :func:`load_answers`.
In the default mode (lessons, patients) nothing is written anywhere.

Writes are atomic (write a temporary file, then ``os.replace``), so a crash in the middle of a
write never loses an earlier answer.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

ANSWERS_FILE = "answers.json"


class AnswersError(ValueError):
    """The answers record cannot be read."""


def answers_path(folder: Path | str | None = None) -> Path:
    """The answers file of the assignment in ``folder`` (default: the working directory)."""
    return Path(folder or Path.cwd()) / ANSWERS_FILE


def load_answers(path: Path | str | None = None) -> dict[str, Any]:
    """All recorded answers, keyed by question id; empty if nothing was recorded yet."""
    path = Path(path) if path is not None else answers_path()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AnswersError(f"{path}: the answers record is corrupt and cannot be read: {err}") from None
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: the answers record must be a JSON object, not {type(data).__name__}")
    return data


def _unused_backup_name(path: Path) -> Path:
    """answers.corrupt-1.json, -2, ...: a second corruption never overwrites the first backup."""
    number = 1
    while (backup := path.with_name(f"{path.stem}.corrupt-{number}.json")).exists():
        number += 1
    return backup


def record_answer(key: str, value: Any, path: Path | str | None = None) -> None:
    """Store ``value`` under ``key``, keeping every other answer; atomic."""
    path = Path(path) if path is not None else answers_path()
    try:
        answers = load_answers(path)
    except AnswersError:
        # Keep the unreadable record for the instructor instead of overwriting it.
        os.replace(path, _unused_backup_name(path))
        answers = {}
    answers[key] = value
    write_json_atomic(path, answers)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path``: a temporary file beside it, then ``os.replace``.

    A crash in the middle leaves the old file whole; the temporary file is removed on failure.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
