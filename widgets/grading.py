"""Scoring the graded widgets' answers against keys that only the instructor's source holds.

A graded widget saves each answer in ``answers.json`` (see :mod:`widgets.answers`); the widget's
data on the student's side (the ``assessment-*`` bank and case) has questions and options only.
Each widget-graded test cell of an assignment's source carries its key in its hidden region, as a
literal the grader reads without running it::

    ### BEGIN HIDDEN TESTS
    LBP_KEY = {"kind": "single", "record": "quiz/some-bank/some-question", "answer": "b"}
    check_key(LBP_KEY)
    ### END HIDDEN TESTS

``nbgrader generate_assignment`` strips the region from the release; ``OverwriteCells`` restores it
before autograde. The score is computed by ``ScoreRecordedAnswers`` (``assessments/instructor.py``)
in the grading process, from the answers file as handed in and this key: nothing a student's code
does in its kernel can change it. In the kernel, :func:`check_key` only checks that the key fits
the widget's questions, so that ``nbgrader validate`` on the source checks every key.

Kinds of key: ``single`` (``answer``: an option id), ``multiple`` (``answer``: the option ids),
``numeric`` (``answer`` and ``tolerance``), ``factors`` (``domains``: factor id -> domain),
``yellow_flags`` (``flags``: the factor ids that are yellow flags) and ``certainty``:
certainty-based marking of several quiz questions together (``record``: ``quiz/<bank>``; ``marks``:
the bank's ``certainty_marks``; ``keys``: one single, multiple or numeric key per question). Each
question earns its level's ``right`` or ``wrong`` marks (an answer saved without a level counts as
``low``, no answer as 0); the cell gets the sum over the most it could be, from 0 to its points, so
that a confident wrong answer costs marks that other answers earned.
"""

from __future__ import annotations

import ast
import math
from typing import Any

KEY_NAME = "LBP_KEY"
KINDS = ("single", "multiple", "numeric", "factors", "yellow_flags", "certainty")
LEVELS = ("low", "medium", "high")


class AnswerKeyError(ValueError):
    """A key in a source notebook is malformed or does not fit the widget's questions."""


def key_in(source: str) -> dict[str, Any] | None:
    """The ``LBP_KEY = {...}`` literal of a cell's source, or None if it has none; never runs code."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == KEY_NAME):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _certainty_fraction(key: dict[str, Any], answers: dict[str, Any]) -> float:
    """Certainty-based marks of several questions, over the most they could earn; never raises."""
    marks, keys = key.get("marks"), key.get("keys")
    if not isinstance(marks, dict) or not isinstance(keys, list) or not keys:
        return 0.0
    try:
        best = max(float(marks[level]["right"]) for level in LEVELS)
        total = 0.0
        for one in keys:
            record = answers.get(str(one.get("record"))) if isinstance(one, dict) else None
            if not isinstance(record, dict) or "answer" not in record:
                continue
            level = record.get("certainty") if record.get("certainty") in LEVELS else "low"
            right = _fraction_right(one, record) >= 1
            total += float(marks[level]["right" if right else "wrong"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return total / (best * len(keys)) if best > 0 else 0.0


def _fraction_right(key: dict[str, Any], record: Any) -> float:
    """How much of the key the recorded answer meets, from 0 to 1; never raises."""
    kind = key.get("kind")
    if kind in ("single", "multiple", "numeric"):
        answer = record.get("answer") if isinstance(record, dict) else None
        if kind == "single":
            return float(isinstance(answer, str) and answer == key.get("answer"))
        if kind == "multiple":
            right = key.get("answer")
            return float(isinstance(answer, list) and all(isinstance(a, str) for a in answer)
                         and isinstance(right, list) and sorted(answer) == sorted(right))
        given, expected = _number(answer), _number(key.get("answer"))
        tolerance = _number(key.get("tolerance")) or 0.0
        return float(given is not None and expected is not None and abs(given - expected) <= tolerance + 1e-9)
    if not isinstance(record, dict):
        return 0.0
    if kind == "factors":
        domains = key.get("domains")
        if not isinstance(domains, dict) or not domains:
            return 0.0
        return float(sum(record.get(factor) == domain for factor, domain in domains.items())) / len(domains)
    if kind == "yellow_flags":
        expected, chosen = key.get("flags"), record.get("yellow_flags")
        if not isinstance(expected, list) or not expected or not isinstance(chosen, list):
            return 0.0
        picked = {c for c in chosen if isinstance(c, str)}
        hits, misses = len(picked & set(expected)), len(picked - set(expected))
        return max(0, hits - misses) / len(expected)
    return 0.0


def score(key: dict[str, Any], answers: dict[str, Any], points: float) -> float:
    """Points earned by the answer recorded under ``key["record"]``: from 0 to ``points``, rounded."""
    if key.get("kind") == "certainty":
        fraction = _certainty_fraction(key, answers)
    else:
        fraction = _fraction_right(key, answers.get(str(key.get("record"))))
    return round(min(max(fraction, 0.0), 1.0) * points, 4)


def check_key(key: Any) -> None:
    """Check that a key fits its widget's questions (run by ``nbgrader validate`` on the source).

    Raises :class:`AnswerKeyError` naming the key and the problem.
    """
    if not isinstance(key, dict) or key.get("kind") not in KINDS or not isinstance(key.get("record"), str):
        raise AnswerKeyError(f"a key needs a kind (one of {', '.join(KINDS)}) and a record: {key!r}")
    _check_fits(key["kind"], key["record"], key)


def _check_certainty(record: str, key: dict[str, Any]) -> None:
    from widgets.questions import load_bank

    widget, _, bank_id = record.partition("/")
    keys = key.get("keys")
    if widget != "quiz" or not isinstance(keys, list) or not keys:
        raise AnswerKeyError(f"{record}: a certainty key needs record quiz/<bank> and a list of keys")
    bank = load_bank(bank_id)
    table = {level: {"right": m.right, "wrong": m.wrong} for level, m in (bank.certainty_marks or {}).items()}
    if not table or key.get("marks") != table:
        raise AnswerKeyError(f"{record}: the key's marks {key.get('marks')!r} must be the bank's "
                             f"certainty_marks {table!r}, which students see")
    for one in keys:
        if not isinstance(one, dict) or not str(one.get("record", "")).startswith(f"quiz/{bank_id}/"):
            raise AnswerKeyError(f"{record}: each key in a certainty key is a question of bank {bank_id!r}")
        check_key(one)
        question = bank.question(str(one["record"]).rsplit("/", 1)[1])
        if not question.certainty:
            raise AnswerKeyError(f"{one['record']}: the question does not ask how sure (certainty: true)")


def _check_fits(kind: str, record: str, key: dict[str, Any]) -> None:
    if kind == "certainty":
        _check_certainty(record, key)
        return
    widget, _, rest = record.partition("/")
    if widget == "quiz":
        from widgets.questions import load_bank

        bank_id, _, question_id = rest.partition("/")
        question = next((q for q in load_bank(bank_id).questions if q.id == question_id), None)
        if question is None or question.kind != kind:
            raise AnswerKeyError(f"{record}: no {kind} question {question_id!r} in bank {bank_id!r}")
        options = {o.id for o in question.options}
        answer = key.get("answer")
        chosen = [answer] if kind == "single" else answer if kind == "multiple" else None
        if chosen is not None and (not isinstance(chosen, list) or not chosen or not set(chosen) <= options):
            raise AnswerKeyError(f"{record}: the answer {answer!r} is not one of {sorted(options)}")
        if kind == "numeric" and (_number(answer) is None or _number(key.get("tolerance")) is None):
            raise AnswerKeyError(f"{record}: a numeric key needs a number answer and a tolerance")
    elif widget == "factors" and kind in ("factors", "yellow_flags"):
        from widgets._cases import DOMAINS, load_case

        factors = {f.id for f in load_case(rest).factors}
        if kind == "factors":
            domains = key.get("domains")
            if (not isinstance(domains, dict) or set(domains) != factors
                    or not set(domains.values()) <= set(DOMAINS)):
                raise AnswerKeyError(f"{record}: the key must give one of {DOMAINS} for each factor")
        elif not isinstance(key.get("flags"), list) or not key["flags"] or not set(key["flags"]) <= factors:
            raise AnswerKeyError(f"{record}: the yellow flags must be factor ids of the case")
    else:
        raise AnswerKeyError(f"{record}: a {kind} key does not fit this record")
