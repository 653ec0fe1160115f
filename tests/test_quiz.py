"""Quiz and question banks: built from real banks and evidence, driven by clicking Check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import evidence
from widgets.answers import load_answers, record_answer
from widgets.questions import QuestionBankError, evidence_value, known_banks, load_bank
from widgets.quiz import Quiz

MASSAGE = "massage-chronic-pain-active"  # the estimate the gallery bank asks about
# The gallery bank with every question asked together (one of each kind), for the widget's mechanics.
ALL_KINDS = Path(__file__).parent / "data" / "all-kinds.yaml"


def massage_estimate():
    return next(e for e in evidence().treatment("massage").estimates if e.id == MASSAGE)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_bank(tmp_path: Path, bank_id: str, questions: list[dict]) -> Path:
    """A bank file of these questions; a question without concept tags gets the marker 'content'."""
    path = tmp_path / f"{bank_id}.yaml"
    questions = [{"concepts": ["content"], **q} for q in questions]
    path.write_text(yaml.safe_dump({"id": bank_id, "title": "T", "questions": questions}))
    return path


LESSON_BANKS = [b for b in known_banks() if load_bank(b).keys == "bank"]


def test_every_course_bank_loads_and_builds(tmp_path: Path) -> None:
    for bank_id in known_banks():
        graded = load_bank(bank_id).keys == "instructor"
        quiz = Quiz(bank_id, graded=graded, answers_path=tmp_path / "answers.json")
        assert quiz.max_score > 0
        assert quiz.score == 0 and quiz.attempts == 0


def test_patients_and_students_get_their_own_questions() -> None:
    """A page's quiz asks the patient questions; its "For students" quiz asks the rest, never both."""
    split = 0
    for bank_id in LESSON_BANKS:
        bank = load_bank(bank_id)
        ids = {a: {q.id for q in bank.questions if q.audience == a} for a in ("patient", "student")}
        assert ids["patient"], f"{bank_id}: no question for patients"
        assert {v.question.id for v in Quiz(bank_id).questions} == ids["patient"]
        if ids["student"]:
            split += 1
            students = Quiz(bank_id, audience="student")
            assert {v.question.id for v in students.questions} == ids["student"]
            assert any("for students" in getattr(c, "value", "") for c in students.children)
    assert split >= 10, "the technical questions are no longer kept for students"


def test_every_string_of_a_patient_question_is_plain() -> None:
    """Prompt, options, feedback and explanation of every lesson question for patients: grade 8 or below."""
    too_hard = []
    for bank_id in known_banks():
        if bank_id.startswith("assessment-"):  # graded student assignments
            continue
        for q in load_bank(bank_id).questions:
            if q.audience != "patient":
                continue
            fields = [("prompt", q.prompt), ("explanation", q.explanation)]
            fields += [(f"option {o.id}", o.text) for o in q.options]
            fields += [(f"feedback {o.id}", o.feedback) for o in q.options]
            too_hard += [f"{bank_id}/{q.id} {name}: grade {fk_grade(text):.1f}: {text}"
                         for name, text in fields if text.strip() and fk_grade(text) > MAX_PATIENT_GRADE]
    assert too_hard == [], "\n".join(too_hard)


def test_an_audience_without_questions_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no questions for the audience 'student'"):
        Quiz("assessment-treatment-choices", graded=True, audience="student")


def test_single_choice_right_and_wrong_feedback_attempts_score() -> None:
    quiz = Quiz(ALL_KINDS)
    view = quiz.question("massage-certainty")
    view.input.value = "high"
    view.check.click()
    assert "Not quite." in view.feedback.value
    assert 'role="status" aria-live="polite"' in view.feedback.value
    assert (view.attempts, quiz.attempts, quiz.score) == (1, 1, 0)
    view.input.value = "very-low"
    view.check.click()
    assert "Correct." in view.feedback.value
    certainty = massage_estimate().certainty
    assert f"rated it {certainty} certainty" in view.feedback.value  # {ev:...} placeholder resolved
    assert (view.attempts, quiz.attempts, quiz.score, quiz.answered) == (2, 2, 1, 1)
    assert "Score: 1 of 3 points" in quiz.score_text.value


def test_multiple_choice_all_or_nothing_with_per_option_feedback() -> None:
    quiz = Quiz(ALL_KINDS)
    view = quiz.question("massage-guidelines")
    view.checkboxes[0].value = True
    view.check.click()
    assert "Not quite." in view.feedback.value and view.correct is False
    assert view.feedback.value.count("<li>") == 3
    view.checkboxes[1].value = True
    view.check.click()
    assert view.correct is True and quiz.score == 1
    assert view.answer == ["acp", "nice"]


def test_numeric_answer_comes_from_the_evidence_with_tolerance() -> None:
    quiz = Quiz(ALL_KINDS)
    view = quiz.question("massage-studies")
    studies = massage_estimate().studies
    assert view.question.answer == studies
    view.input.value = studies + 1
    view.check.click()
    assert view.correct is False and "Not quite." in view.feedback.value
    view.input.value = studies
    view.check.click()
    assert view.correct is True and f"The answer is {studies} studies" in view.feedback.value


def test_nothing_chosen_does_not_count_an_attempt() -> None:
    quiz = Quiz(ALL_KINDS)
    view = quiz.question("massage-certainty")
    view.check.click()
    assert view.attempts == 0 and "Choose an answer first" in view.feedback.value


def test_seeded_shuffle_is_deterministic_and_keeps_options() -> None:
    orders = {
        tuple(o.id for o in Quiz(ALL_KINDS, shuffle=True, seed=s).questions[1].options) for s in range(8)
    }
    assert len(orders) > 1
    again = [o.id for o in Quiz(ALL_KINDS, shuffle=True, seed=3).questions[1].options]
    assert again == [o.id for o in Quiz(ALL_KINDS, shuffle=True, seed=3).questions[1].options]
    assert sorted(again) == ["acp", "nice", "none"]


def test_graded_mode_writes_at_once_and_restores(_in_tmp: Path) -> None:
    quiz = Quiz(ALL_KINDS, graded=True)
    view = quiz.question("massage-certainty")
    view.input.value = "high"
    view.check.click()
    view.input.value = "very-low"
    view.check.click()
    multi = quiz.question("massage-guidelines")
    multi.checkboxes[1].value = multi.checkboxes[0].value = True
    multi.check.click()
    record = load_answers(_in_tmp / "answers.json")
    assert record["quiz/all-kinds/massage-certainty"] == {"answer": "very-low", "attempts": 2}
    assert record["quiz/all-kinds/massage-guidelines"] == {"answer": ["acp", "nice"], "attempts": 1}
    reopened = Quiz(ALL_KINDS, graded=True)
    again = reopened.question("massage-certainty")
    assert again.input.value == "very-low" and again.attempts == 2
    assert "Answer saved:" in again.feedback.value and "very low" in again.feedback.value
    assert reopened.attempts == 3


def test_graded_mode_never_tells_right_from_wrong(_in_tmp: Path) -> None:
    quiz = Quiz(ALL_KINDS, graded=True)
    view = quiz.question("massage-certainty")
    assert view.check.description == "Save answer"
    for choice in ("high", "very-low"):
        view.input.value = choice
        view.check.click()
        text = view.feedback.value + quiz.score_text.value
        assert "Correct" not in text and "Not quite" not in text and "Score" not in text
        assert view.correct is None and quiz.score == 0


def test_graded_numeric_is_a_float(_in_tmp: Path) -> None:
    quiz = Quiz(ALL_KINDS, graded=True, answers_path=_in_tmp / "elsewhere.json")
    view = quiz.question("massage-studies")
    view.input.value = massage_estimate().studies
    view.check.click()
    value = json.loads((_in_tmp / "elsewhere.json").read_text())["quiz/all-kinds/massage-studies"]["answer"]
    assert isinstance(value, float)
    assert not (_in_tmp / "answers.json").exists()


def test_corrupt_answers_file_is_reported_and_answers_still_saved(_in_tmp: Path) -> None:
    (_in_tmp / "answers.json").write_text("{not json")
    quiz = Quiz(ALL_KINDS, graded=True)
    assert "answers.json" in quiz._errors.value and "corrupt" in quiz._errors.value
    view = quiz.question("massage-certainty")
    view.input.value = "very-low"
    view.check.click()
    assert load_answers()["quiz/all-kinds/massage-certainty"]["answer"] == "very-low"
    assert (_in_tmp / "answers.corrupt-1.json").read_text() == "{not json"


def test_a_second_corruption_keeps_the_first_backup(_in_tmp: Path) -> None:
    for n, junk in enumerate(["{first", "{second"], start=1):
        (_in_tmp / "answers.json").write_text(junk)
        record_answer("quiz/gallery/x", {"answer": "a", "attempts": n})
    assert (_in_tmp / "answers.corrupt-1.json").read_text() == "{first"
    assert (_in_tmp / "answers.corrupt-2.json").read_text() == "{second"
    assert load_answers()["quiz/gallery/x"]["attempts"] == 2


def test_default_mode_writes_nothing(_in_tmp: Path) -> None:
    quiz = Quiz(ALL_KINDS)
    for view in quiz.questions:
        if view.question.kind == "single":
            view.input.value = view.options[0].id
        view.check.click()
    assert list(_in_tmp.iterdir()) == []


def test_unknown_bank_lists_known_banks() -> None:
    with pytest.raises(QuestionBankError, match=r"no question bank 'nope'.*gallery"):
        Quiz("nope")


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"id": "q1", "kind": "single", "prompt": "P", "options": [
            {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": True}]}, "q1"),
        ({"id": "q2", "kind": "numeric", "prompt": "P", "answer": 3}, "q2"),
        ({"id": "q3", "kind": "wrong", "prompt": "P"}, "kind"),
        ({"id": "q4", "kind": "numeric", "prompt": "P", "tolerance": 1,
          "answer_from": {"treatment": "massage", "estimate": "nope", "field": "estimate"}}, "answer_from"),
        ({"id": "q5", "kind": "single", "prompt": "{ev:massage/" + MASSAGE + "/colour}", "options": [
            {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}, "prompt"),
        ({"id": "q6", "kind": "numeric", "prompt": "P", "tolerance": 1,
          "answer_from": {"treatment": "unicorns", "estimate": "x", "field": "estimate"}}, "known ids"),
        ({"id": "q7", "kind": "numeric", "prompt": "P", "answer": 1, "tolerance": 0,
          "audience": "doctors"}, "audience"),
    ],
)
def test_malformed_bank_names_file_question_and_field(tmp_path: Path, question: dict, field: str) -> None:
    path = write_bank(tmp_path, "broken", [question])
    with pytest.raises(QuestionBankError) as err:
        load_bank(path)
    message = str(err.value)
    assert "broken.yaml" in message and repr(question["id"]) in message and field in message


def test_bank_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_bank(tmp_path, "one", [{"id": "q", "kind": "numeric", "prompt": "P", "answer": 1,
                                         "tolerance": 0}])
    path.rename(tmp_path / "two.yaml")
    with pytest.raises(QuestionBankError, match=r"two.yaml.*'id'"):
        load_bank(tmp_path / "two.yaml")


def test_placeholders_resolve_for_every_estimate() -> None:
    ev = evidence()
    for treatment in ev.treatments.values():
        for est in treatment.estimates:
            assert evidence_value(ev, f"{treatment.id}/{est.id}/ci_low") == est.ci_low


def test_error_in_a_callback_is_shown_in_the_widget(_in_tmp: Path) -> None:
    quiz = Quiz(ALL_KINDS, graded=True, answers_path=_in_tmp / "no-such-folder" / "answers.json")
    view = quiz.question("massage-certainty")
    view.input.value = "very-low"
    view.check.click()  # writing fails: the folder does not exist
    assert "Something went wrong" in quiz._errors.value and 'role="alert"' in quiz._errors.value
    assert "No such file or directory" in quiz.error


def test_package_import_is_light() -> None:
    import subprocess
    import sys

    code = ("import sys, widgets; heavy = [m for m in ('numpy', 'matplotlib', 'pandas') if m in sys.modules];"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_assessment_bank_holds_no_key_and_needs_graded_mode() -> None:
    bank = load_bank("assessment-treatment-choices")
    assert bank.keys == "instructor" and all(q.keyless for q in bank.questions)
    with pytest.raises(ValueError, match="graded=True"):
        Quiz("assessment-treatment-choices")


def test_a_bank_must_keep_its_keys_all_in_or_all_out() -> None:
    from widgets.questions import Bank

    keyed = {"id": "q", "kind": "single", "prompt": "P?", "concepts": ["content"],
             "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}
    keyless = {"id": "q", "kind": "single", "prompt": "P?", "concepts": ["content"],
               "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]}
    with pytest.raises(ValueError, match="carries an answer key"):
        Bank.model_validate({"id": "x", "title": "X", "keys": "instructor", "questions": [keyed]})
    with pytest.raises(ValueError, match="has no answer key"):
        Bank.model_validate({"id": "x", "title": "X", "questions": [keyless]})
    with pytest.raises(ValueError, match="give the answer away"):
        Bank.model_validate({"id": "x", "title": "X", "keys": "instructor",
                             "questions": [{**keyless, "explanation": "A is right."}]})
