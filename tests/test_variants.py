"""Per-student variants: stable for a student, different between neighbours, right by construction."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tests.servers import REPO
from widgets.variants import (
    STUDENT_ENV,
    NntTrial,
    ReviewResult,
    nnt_trial,
    review_result,
    student_id,
    variant_answers,
)

CLASS = [f"student-{n:02d}" for n in range(40)]


def test_a_student_always_gets_the_same_numbers() -> None:
    assert nnt_trial("ana") == nnt_trial("ana")
    # Fixed by the seed's definition (sha256 of assignment and id), not by the Python version.
    assert nnt_trial("ana") == NntTrial(usual_care=15, exercise=30)


def test_neighbours_get_different_numbers() -> None:
    trials = [nnt_trial(student) for student in CLASS]
    assert len(set(trials)) >= 38  # a class of 40: at most a couple of chance repeats
    assert len({trial.nnt for trial in trials}) >= 8
    assert nnt_trial("ana", "evidence-appraisal") != nnt_trial("ana", "another-assignment")


def test_every_variant_is_a_sound_trial_with_the_expected_nnt() -> None:
    for student in [*CLASS, *(f"x{n}" for n in range(500))]:
        trial = nnt_trial(student)
        assert 10 <= trial.usual_care <= 45 and 5 <= trial.exercise - trial.usual_care <= 30
        exact = 100 / (trial.exercise - trial.usual_care)
        assert trial.nnt == math.ceil(exact - 1e-9)  # rounded up, never pushed up by float error
        assert variant_answers("evidence-appraisal", student)["exercise_nnt"] == trial.nnt
        assert f"{trial.usual_care} of 100" in str(trial) and f"{trial.exercise} of 100" in str(trial)


def test_the_graders_id_comes_first_then_the_hub_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-ana")
    monkeypatch.delenv(STUDENT_ENV, raising=False)
    assert student_id() == "hub-ana"
    monkeypatch.setenv(STUDENT_ENV, "graded-ben")
    assert student_id() == "graded-ben"
    assert nnt_trial() == nnt_trial("graded-ben")


def test_an_assignment_without_variants_expects_nothing() -> None:
    assert variant_answers("treatment-choices", "ana") == {}


def test_the_instructor_previews_any_students_variant() -> None:
    out = subprocess.run([sys.executable, str(REPO / "assessments" / "instructor.py"), "variant",
                          "evidence-appraisal", "ana", "ben"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    for student in ("ana", "ben"):
        trial = nnt_trial(student)
        assert f"{student}: {variant_answers('evidence-appraisal', student)}" in out
        assert f"'exercise_nnt': {trial.nnt}" in out
        assert str(trial) in out and str(review_result(student)) in out


def test_every_review_result_is_read_as_the_course_reads_intervals() -> None:
    results = [review_result(student) for student in [*CLASS, *(f"x{n}" for n in range(500))]]
    for r in results:
        assert r.low < r.benefit < r.high and 2.95 <= r.benefit - r.low <= 10.05 and -4 <= r.benefit <= 28
        assert r.mcid == 15  # the course's MCID for pain on a 0 to 100 scale (widgets/data)
        expected = "important" if r.low >= 15 else "too small" if r.high < 15 else "unclear"
        assert r.verdict == expected and r.includes_no_effect == (r.low <= 0 <= r.high)
    # Neighbours get all three verdicts, and both answers to "does it include no effect?".
    assert {r.verdict for r in results[:len(CLASS)]} == {"important", "too small", "unclear"}
    assert {r.includes_no_effect for r in results[:len(CLASS)]} == {True, False}
    assert len(set(results[:len(CLASS)])) >= 38
    # Edge cases, worked by hand: an end on the MCID reaches it; an end on 0 includes it.
    assert ReviewResult(20, 15, 25, 15).verdict == "important"
    below = ReviewResult(7, 0, 14.9, 15)
    assert below.verdict == "too small" and below.includes_no_effect
    assert ReviewResult(12, 5, 19, 15).verdict == "unclear"
    answers = variant_answers("evidence-appraisal", "ana")
    assert answers["review_verdict"] == review_result("ana").verdict
    assert answers["review_no_effect"] == review_result("ana").includes_no_effect
