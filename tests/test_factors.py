"""FactorSorter: sorting, yellow flags, feedback, graded write/restore, bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets._cases import CaseError, known_cases, load_case
from widgets.answers import load_answers
from widgets.factors import FactorSorter


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def answer_all(sorter: FactorSorter, right: bool = True) -> None:
    for factor in sorter.case.factors:
        wrong = "social" if factor.domain != "social" else "biological"
        sorter.dropdowns[factor.id].value = factor.domain if right else wrong
        sorter.checkboxes[factor.id].value = factor.yellow_flag if right else not factor.yellow_flag


SORTABLE = [c for c in known_cases() if load_case(c).factors and load_case(c).keys == "case"]


@pytest.mark.parametrize("case_id", SORTABLE)
def test_all_right_scores_full_marks(case_id: str) -> None:
    sorter = FactorSorter(case_id)
    answer_all(sorter)
    sorter.check.click()
    n = len(sorter.case.factors)
    assert (sorter.sorted_right, sorter.flags_right, sorter.checked) == (n, n, True)
    assert f"You sorted {n} of {n} factors" in sorter.feedback.value
    assert 'aria-live="polite"' in sorter.feedback.value


def test_default_case_has_flags_in_every_way_the_feedback_can_go() -> None:
    sorter = FactorSorter()
    case = sorter.case
    assert {f.domain for f in case.factors} == {"biological", "psychological", "social"}
    assert any(f.yellow_flag for f in case.factors) and not all(f.yellow_flag for f in case.factors)


def test_wrong_answers_get_text_feedback_per_factor() -> None:
    sorter = FactorSorter("sam")
    answer_all(sorter, right=False)
    sorter.check.click()
    assert (sorter.sorted_right, sorter.flags_right) == (0, 0)
    belief = next(f for f in sorter.case.factors if f.id == "damage-belief")
    assert "you chose social, the course says psychological; this is a yellow flag." in sorter.feedback.value
    assert belief.explanation in sorter.feedback.value
    assert sorter.feedback.value.count("<li>") == len(sorter.case.factors)


def test_unsorted_factor_is_reported() -> None:
    sorter = FactorSorter("sam")
    sorter.check.click()
    assert "not sorted yet (the course says biological)" in sorter.feedback.value
    assert sorter.sorted_right == 0


def test_graded_writes_and_restores(_in_tmp: Path) -> None:
    sorter = FactorSorter("sam", graded=True)
    sorter.dropdowns["damage-belief"].value = "psychological"
    sorter.dropdowns["work-pressure"].value = "social"
    sorter.checkboxes["work-pressure"].value = True
    assert not (_in_tmp / "answers.json").exists()  # written when Check is pressed
    sorter.check.click()
    record = load_answers()["factors/sam"]
    assert record == {"damage-belief": "psychological", "work-pressure": "social",
                      "yellow_flags": ["work-pressure"]}
    again = FactorSorter("sam", graded=True)
    assert again.dropdowns["work-pressure"].value == "social" and again.checkboxes["work-pressure"].value
    assert again.checked and "Answer saved" in again.feedback.value
    assert "right" not in again.feedback.value  # marked after hand-in, never while working


def test_corrupt_answers_file_is_shown(_in_tmp: Path) -> None:
    (_in_tmp / "answers.json").write_text("nonsense")
    sorter = FactorSorter("sam", graded=True)
    assert "answers.json" in sorter._errors.value
    sorter.check.click()
    assert "factors/sam" in load_answers()


def test_default_mode_writes_nothing(_in_tmp: Path) -> None:
    sorter = FactorSorter("sam")
    answer_all(sorter)
    sorter.check.click()
    assert list(_in_tmp.iterdir()) == []


def test_unknown_case_lists_known_cases() -> None:
    with pytest.raises(CaseError, match=r"unknown case id 'nobody'.*sam"):
        FactorSorter("nobody")


def test_every_control_has_an_accessible_name() -> None:
    sorter = FactorSorter("sam")
    for n, factor in enumerate(sorter.case.factors, start=1):
        assert sorter.dropdowns[factor.id].description == f"{n}. {factor.text}"
        assert sorter.checkboxes[factor.id].description == f"Yellow flag ({n})"


def test_error_in_a_callback_is_shown_in_the_widget(_in_tmp: Path) -> None:
    sorter = FactorSorter("sam", graded=True, answers_path=_in_tmp / "missing" / "answers.json")
    sorter.check.click()
    assert "Something went wrong" in sorter._errors.value and sorter.error


def test_an_assessment_case_has_no_key_and_its_sorter_only_saves(tmp_path) -> None:
    case = load_case("assessment-alex")
    assert case.keys == "instructor" and all(f.keyless for f in case.factors)
    with pytest.raises(ValueError, match="graded=True"):
        FactorSorter("assessment-alex")
    sorter = FactorSorter("assessment-alex", graded=True, answers_path=tmp_path / "answers.json")
    sorter.dropdowns[case.factors[0].id].value = "social"
    sorter.checkboxes[case.factors[0].id].value = True
    sorter.check.click()
    shown = sorter.feedback.value
    assert "Answer saved" in shown and "1 of 8 factors sorted" in shown
    assert "right" not in shown and "the course says" not in shown


def test_a_case_cannot_mix_keyed_and_keyless_factors(tmp_path) -> None:
    from widgets._cases import Case

    factor = {"id": "a", "text": "A factor", "domain": "social", "explanation": "Why."}
    with pytest.raises(ValueError, match="keys are kept by the instructor"):
        Case.model_validate({"id": "x", "title": "X", "story": "S.", "keys": "instructor",
                             "factors": [factor]})
    with pytest.raises(ValueError, match="needs a domain"):
        Case.model_validate({"id": "x", "title": "X", "story": "S.", "factors": [{"id": "a", "text": "A"}]})
