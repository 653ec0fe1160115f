"""Certainty-based marking: the learner says how sure they are; the instructor's key marks it so."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

import widgets.questions as questions
from widgets import Quiz
from widgets.answers import load_answers
from widgets.grading import AnswerKeyError, check_key, score
from widgets.questions import QuestionBankError, load_bank

BANKS = Path(__file__).parent / "data" / "cbm"
BANK = BANKS / "cbm-practice.yaml"
MARKS = {"low": {"right": 1, "wrong": 0}, "medium": {"right": 2, "wrong": -2},
         "high": {"right": 3, "wrong": -6}}
KEY = {"kind": "certainty", "record": "quiz/cbm-practice", "marks": MARKS, "keys": [
    {"kind": "single", "record": "quiz/cbm-practice/fair-test", "answer": "a"},
    {"kind": "single", "record": "quiz/cbm-practice/better-alone", "answer": "yes"},
]}


def _answers(fair: tuple[str, str] | None, alone: tuple[str, str] | None) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question, given in (("fair-test", fair), ("better-alone", alone)):
        if given is not None:
            answers[f"quiz/cbm-practice/{question}"] = {"answer": given[0], "certainty": given[1]}
    return answers


@pytest.mark.parametrize(("fair", "alone", "points"), [
    (("a", "high"), ("yes", "high"), 6.0),     # 3 + 3 of 6
    (("a", "high"), ("no", "high"), 0.0),      # 3 - 6: below zero, so 0
    (("a", "high"), ("no", "low"), 3.0),       # 3 + 0
    (("a", "medium"), ("no", "medium"), 0.0),  # 2 - 2
    (("a", "low"), ("yes", "medium"), 3.0),    # 1 + 2
    (("a", "high"), None, 3.0),                # unanswered: 0
    (("b", "low"), ("no", "low"), 0.0),
    (("a", "certain"), ("yes", None), 2.0),    # no level (hand-written file): counted as low
])
def test_marks_follow_the_table_and_stay_within_the_cells_points(fair, alone, points) -> None:
    assert score(KEY, _answers(fair, alone), 6) == points


def test_a_broken_key_or_record_scores_zero_and_never_more_than_the_points() -> None:
    assert score(KEY | {"marks": "lots"}, _answers(("a", "high"), ("yes", "high")), 6) == 0
    assert score(KEY | {"keys": []}, _answers(("a", "high"), ("yes", "high")), 6) == 0
    generous = KEY | {"marks": MARKS | {"high": {"right": 3, "wrong": 50}}}
    assert score(generous, _answers(("b", "high"), ("no", "high")), 6) == 6
    assert score(KEY, {"quiz/cbm-practice/fair-test": "a"}, 6) == 0


def test_the_key_must_match_the_banks_table_and_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(questions, "QUESTIONS_DIR", BANKS)
    check_key(KEY)
    with pytest.raises(AnswerKeyError, match="must be the bank's certainty_marks"):
        check_key(KEY | {"marks": MARKS | {"high": {"right": 3, "wrong": -3}}})
    no_certainty = {"kind": "single", "record": "quiz/cbm-practice/no-certainty", "answer": "no"}
    with pytest.raises(AnswerKeyError, match="does not ask how sure"):
        check_key(KEY | {"keys": [no_certainty]})
    with pytest.raises(AnswerKeyError, match="is not one of"):
        check_key(KEY | {"keys": [KEY["keys"][0] | {"answer": "z"}]})


def test_a_bank_needs_a_sound_table(tmp_path: Path) -> None:
    text = BANK.read_text(encoding="utf-8")
    cases = {
        "missing": text.split("certainty_marks:")[0] + "questions:" + text.split("questions:", 1)[1],
        "flat": text.replace("high: {right: 3, wrong: -6}", "high: {right: 2, wrong: -6}"),
        "gains-when-wrong": text.replace("wrong: -2", "wrong: 2"),
    }
    for name, broken in cases.items():
        path = tmp_path / "cbm-practice.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(QuestionBankError) as err:
            load_bank(path)
        assert "cbm-practice.yaml" in str(err.value), name


def test_practice_asks_how_sure_and_says_what_the_answer_earns() -> None:
    quiz = Quiz(BANK)
    view = quiz.question("fair-test")
    assert view.sure is not None and quiz.question("no-certainty").sure is None
    labels = [label for label, _value in view.sure.options]
    assert labels[1:] == ["Not sure: 1 if right, 0 if wrong", "Fairly sure: 2 if right, −2 if wrong",
                          "Very sure: 3 if right, −6 if wrong"]
    view.set_current("b")
    view.check.click()
    assert "Choose how sure you are too" in view.feedback.value and view.attempts == 0
    view.sure.value = "high"
    view.check.click()
    text = html.unescape(view.feedback.value)
    assert "You said very sure, so this answer earns −6. Being sure and wrong costs the most." in text


def test_graded_saves_and_restores_how_sure(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    quiz = Quiz(BANK, graded=True, answers_path=path)
    view = quiz.question("better-alone")
    view.set_current("yes")
    view.sure.value = "medium"
    view.check.click()
    assert load_answers(path)["quiz/cbm-practice/better-alone"] == {
        "answer": "yes", "attempts": 1, "certainty": "medium"}
    assert "(fairly sure)" in view.feedback.value and "earns" not in view.feedback.value
    again = Quiz(BANK, graded=True, answers_path=path).question("better-alone")
    assert again.sure.value == "medium" and again.current() == "yes"
    assert score(KEY, load_answers(path), 6) == 2.0
