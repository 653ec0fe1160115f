"""Scoring helpers for the hidden nbgrader tests of the assessments.

Hidden test cells read what a graded widget wrote to ``answers.json`` (see :mod:`widgets.answers`)
and score it here. A student who never answered, or whose answers file is unreadable, scores 0
for that question; nothing here raises because of a student's answers.

nbgrader gives partial credit when a test cell's last expression is a number, so the ``*_points``
functions return points, ready to be the last line of a test cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from widgets.answers import AnswersError, load_answers


def recorded(key: str, path: Path | str | None = None) -> Any:
    """The value stored under ``key`` in the answers file, or None if absent or unreadable."""
    try:
        return load_answers(path).get(key)
    except AnswersError:
        return None


def quiz_answer(bank_id: str, question_id: str, path: Path | str | None = None) -> Any:
    """The last checked answer to one quiz question, or None if it was never checked."""
    record = recorded(f"quiz/{bank_id}/{question_id}", path)
    return record.get("answer") if isinstance(record, dict) else None


def quiz_points(bank_id: str, question_id: str, path: Path | str | None = None) -> float:
    """The question's points if the recorded answer is right (by the bank's key), else 0."""
    from widgets.questions import load_bank  # only graders need the bank loader

    question = load_bank(bank_id).question(question_id)
    return float(question.points) if question.is_right(quiz_answer(bank_id, question_id, path)) else 0.0


def factor_points(case_id: str, points: float, path: Path | str | None = None) -> float:
    """``points`` shared equally over the case's factors; each one sorted right earns its share.

    The right domains come from the case file (``widgets/data/cases/<case-id>.yaml``).
    """
    from widgets._cases import load_case

    expected = {factor.id: factor.domain for factor in load_case(case_id).factors}
    record = recorded(f"factors/{case_id}", path)
    if not isinstance(record, dict) or not expected:
        return 0.0
    right = sum(1 for factor, domain in expected.items() if record.get(factor) == domain)
    return round(points * right / len(expected), 4)


def yellow_flag_points(case_id: str, points: float, path: Path | str | None = None) -> float:
    """Each yellow flag found earns an equal share of ``points``; each wrong flag costs one; floor 0."""
    from widgets._cases import load_case

    expected = {factor.id for factor in load_case(case_id).factors if factor.yellow_flag}
    record = recorded(f"factors/{case_id}", path)
    chosen = record.get("yellow_flags") if isinstance(record, dict) else None
    if not isinstance(chosen, list) or not expected:
        return 0.0
    hits = len(set(chosen) & expected)
    misses = len(set(chosen) - expected)
    return round(points * max(0, hits - misses) / len(expected), 4)
