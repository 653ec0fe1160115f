"""Review: two questions from earlier lessons at the top of a lesson, fixed for every visitor unless a
student's progress is on, when wrong and unseen questions come first."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import Review
from widgets.course import course
from widgets.progress import PROGRESS_FILE, Progress
from widgets.questions import load_bank
from widgets.review import HEADING, INTRO, SOURCE, candidates, choose

REVIEWED = [lesson.number for lesson in course().lessons[2:]]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder with no Voila variables: no progress file unless a test writes one."""
    monkeypatch.chdir(tmp_path)
    for name in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL",
                 "SERVER_SOFTWARE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def opted_in(tmp_path: Path, results: dict[str, bool] | None = None) -> Progress:
    progress = Progress(tmp_path / PROGRESS_FILE)
    progress.switch(True)
    for key, right in (results or {}).items():
        progress.record(key, right)
    return progress


def check(review: Review, number: int, right: bool) -> None:
    """Answer question ``number`` of the review right or wrong, and press Check answer."""
    view = review.questions[number]
    q = view.question
    if q.kind == "single":
        view.input.value = next(o.id for o in view.options if bool(o.correct) == right)
    else:  # multiple: every right option ticked, plus a wrong one if the answer must be wrong
        for option, box in zip(view.options, view.checkboxes, strict=True):
            box.value = bool(option.correct) or (not right and option == view.options[-1])
        if not right and all(o.correct for o in view.options):
            view.checkboxes[0].value = False
    view.check.click()
    assert view.correct is right


@pytest.mark.parametrize("number", REVIEWED)
def test_review_asks_two_patient_questions_from_earlier_lessons_only(number: str) -> None:
    manifest = course()
    here = manifest.lesson(number)
    earlier = {lesson.quiz_bank for lesson in manifest.lessons[: manifest.index(here.file)]}
    review = Review(number)
    assert len(review.questions) == 2
    assert len({c.key for c in review.chosen}) == 2
    for c in review.chosen:
        assert c.bank.id in earlier, f"{number}: {c.key} is not from an earlier lesson"
        assert c.bank.id != here.quiz_bank
        assert c.question.audience == "patient"
        assert load_bank(c.bank.id).question(c.question.id) == c.question
    if len({c.lesson for c in candidates(number)}) > 1:
        assert review.chosen[0].lesson != review.chosen[1].lesson, "two lessons are reviewed when they can be"


def test_no_question_of_a_later_lesson_is_ever_a_candidate() -> None:
    files = [lesson.file for lesson in course().lessons]
    for number in REVIEWED:
        position = files.index(course().lesson(number).file)
        assert all(files.index(c.lesson.file) < position for c in candidates(number))
    with pytest.raises(ValueError, match="no earlier lesson"):
        Review("00")
    with pytest.raises(ValueError, match="no lesson '99'"):
        Review("99")


def test_without_progress_every_visitor_gets_the_same_two() -> None:
    for number in REVIEWED:
        assert [c.key for c in Review(number).chosen] == [c.key for c in Review(number).chosen]
    # ... and not the same two everywhere: the seed is the lesson.
    assert len({tuple(c.key for c in Review(n).chosen) for n in REVIEWED}) > len(REVIEWED) // 2


def test_review_accepts_a_lesson_by_number_or_file() -> None:
    keys = [c.key for c in Review("05d").chosen]
    assert [c.key for c in Review("05d-heat.ipynb").chosen] == keys
    assert [c.key for c in Review("05d-heat").chosen] == keys


def test_feedback_is_the_quiz_feedback(tmp_path: Path) -> None:
    review = Review("04a")
    check(review, 0, right=False)
    check(review, 1, right=True)
    wrong, right = (v.feedback.value for v in review.questions)
    assert "Not quite." in wrong and 'role="status"' in wrong
    assert "Correct." in right
    assert html.escape(review.questions[1].question.explanation) in right
    assert list(tmp_path.iterdir()) == [], "no progress: nothing written"


def test_with_progress_wrong_answers_come_first_then_unseen(tmp_path: Path) -> None:
    pool = candidates("07")
    keys = [c.key for c in pool]
    # Every question answered right but two far apart, answered wrong.
    wrong = [keys[0], keys[-1]]
    progress = opted_in(tmp_path, {k: k not in wrong for k in keys})
    for seed in range(5):
        assert {c.key for c in Review("07", progress=progress, seed=seed).chosen} == set(wrong)
    # The wrong one first, then an unseen one rather than one answered right.
    progress = opted_in(tmp_path)
    data = json.loads(progress.path.read_text())
    data["questions"] = {k: {"right": True, "attempts": 1} for k in keys[1:-1]}
    data["questions"][keys[0]] = {"right": False, "attempts": 2}
    progress.path.write_text(json.dumps(data))
    chosen = [c.key for c in Review("07", progress=progress, seed=1).chosen]
    assert chosen == [keys[0], keys[-1]]


def test_with_progress_the_order_varies_between_visits(tmp_path: Path) -> None:
    progress = opted_in(tmp_path)  # nothing answered yet: every question is unseen
    seen = {tuple(c.key for c in Review("07", progress=progress, seed=s).chosen) for s in range(10)}
    assert len(seen) > 1


def test_choose_prefers_two_lessons_only_among_equally_ranked(tmp_path: Path) -> None:
    pool = candidates("04")  # start-here, judging-claims, acute-first-aid, biopsychosocial
    same_lesson = [c.key for c in pool if c.bank.id == "start-here"][:2]
    results = {c.key: c.key not in same_lesson for c in pool}
    assert {c.key for c in choose(pool, "04", results=results, seed=0)} == set(same_lesson)
    assert len({c.lesson for c in choose(pool, "04", results={}, seed=0)}) == 2


def test_checked_review_answers_are_recorded_when_progress_is_on(tmp_path: Path) -> None:
    progress = opted_in(tmp_path)
    review = Review("03", progress=progress, seed=0)
    check(review, 0, right=False)
    check(review, 0, right=True)
    check(review, 1, right=False)
    first, second = (c.key for c in review.chosen)
    stored = json.loads(progress.path.read_text())["questions"]
    assert stored == {first: {"right": True, "attempts": 2}, second: {"right": False, "attempts": 1}}
    # The next visit asks the one answered wrong first.
    assert Review("03", progress=progress, seed=3).chosen[0].key == second


def test_a_malformed_progress_file_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / PROGRESS_FILE
    path.write_text("{not json")
    review = Review("02")
    assert "cannot be read" in review._errors.value and PROGRESS_FILE in review._errors.value
    assert [c.key for c in review.chosen] == [c.key for c in Review("02", progress=Progress(tmp_path / "x"))
                                              .chosen], "the fixed choice, as without progress"
    check(review, 0, right=True)
    assert path.read_text() == "{not json"


def test_patient_strings_read_at_grade_8_or_below() -> None:
    """The review's own words (a lesson's title is the manifest's, checked with the lessons)."""
    for text in (HEADING, INTRO, SOURCE.format(title="Heat") + "."):
        assert fk_grade(text) <= MAX_PATIENT_GRADE, text
    review = Review("05d")
    shown = " ".join(c.value for c in review.children if "lbp-review-source" in str(getattr(c, "value", "")))
    assert re.sub(r"<[^>]+>", "", shown).count("From the lesson ") == 2
