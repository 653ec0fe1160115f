"""RiskStratifier and startback_group: rules from the evidence data, feedback, graded mode."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from widgets import evidence
from widgets._cases import ITEM9_LEVELS, load_case
from widgets.answers import load_answers
from widgets.risk import RiskStratifier, startback_group

RULES = evidence().reference.startback


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def answers(agree: set[int], item9: str = "not at all") -> dict[int, str]:
    out: dict[int, str] = {n: ("agree" if n in agree else "disagree") for n in range(1, 9)}
    out[9] = item9
    return out


def test_group_follows_the_rules_in_the_data_for_every_answer_pattern() -> None:
    for bits in product([False, True], repeat=8):
        for item9 in ITEM9_LEVELS:
            agree = {n for n, bit in zip(range(1, 9), bits, strict=True) if bit}
            total, subscale, group = startback_group(answers(agree, item9))
            nine = int(item9 in RULES.item9_positive_answers)
            assert total == len(agree) + nine
            assert subscale == len(agree & set(RULES.subscale_items)) + nine * (9 in RULES.subscale_items)
            if total <= RULES.low_max_total:
                assert group == "low"
            else:
                assert group == ("high" if subscale >= RULES.high_min_subscale else "medium")


def test_known_examples() -> None:
    assert startback_group(answers(set())) == (0, 0, "low")
    assert startback_group(answers({1, 2, 3, 4})) == (4, 0, "medium")
    assert startback_group(answers({5, 6, 7, 8}, "extremely")) == (5, 5, "high")
    assert startback_group({str(n): v for n, v in answers({1}).items()})[0] == 1  # string keys work
    assert startback_group({**answers(set()), 1: True})[0] == 1  # booleans work


def test_bad_answers_name_the_item() -> None:
    with pytest.raises(ValueError, match=r"item 3 .* has no answer"):
        startback_group({n: "agree" for n in (1, 2)})
    with pytest.raises(ValueError, match="item 9: 'a lot'"):
        startback_group({**answers(set()), 9: "a lot"})
    with pytest.raises(ValueError, match="item 2: 'maybe'"):
        startback_group({**answers(set()), 2: "maybe"})


def fill(widget: RiskStratifier, values: dict[int, str]) -> None:
    for number, value in values.items():
        widget.dropdowns[number].value = value


def test_case_answers_give_group_and_explanation() -> None:
    case = load_case("sam")
    widget = RiskStratifier("sam")
    fill(widget, case.startback.answers)
    widget.score_button.click()
    expected = startback_group(case.startback.answers)
    assert (widget.total, widget.subscale, widget.group) == expected
    assert f"Total score {expected[0]} of 9" in widget.feedback.value
    assert f"Group: {expected[2]} risk" in widget.feedback.value
    assert "Your answers match the case." in widget.feedback.value
    assert "not a diagnosis" in widget.feedback.value


def test_differing_answers_are_named() -> None:
    widget = RiskStratifier("priya")
    fill(widget, {**load_case("priya").startback.answers, 5: "agree"})
    widget.score_button.click()
    assert "differ from how Priya would answer on item(s) 5" in widget.feedback.value


def test_score_needs_every_item() -> None:
    widget = RiskStratifier()
    widget.dropdowns[1].value = "agree"
    widget.score_button.click()
    assert "Not answered yet: 2, 3, 4, 5, 6, 7, 8, 9" in widget.feedback.value
    assert widget.group == ""


def test_graded_writes_and_restores(_in_tmp: Path) -> None:
    widget = RiskStratifier("sam", graded=True)
    fill(widget, answers({5, 6, 7, 8}, "very much"))
    widget.score_button.click()
    record = load_answers()["risk/sam"]
    assert record["group"] == "high"
    assert record["answers"]["9"] == "very much" and record["answers"]["1"] == "disagree"
    again = RiskStratifier("sam", graded=True)
    assert again.dropdowns[9].value == "very much" and again.group == "high"


def test_corrupt_file_shown_and_default_mode_writes_nothing(_in_tmp: Path) -> None:
    widget = RiskStratifier("sam")
    fill(widget, answers(set()))
    widget.score_button.click()
    assert list(_in_tmp.iterdir()) == []
    (_in_tmp / "answers.json").write_text("{")
    graded = RiskStratifier("sam", graded=True)
    assert "answers.json" in graded._errors.value


def test_graded_needs_a_case() -> None:
    with pytest.raises(ValueError, match="graded mode needs a case_id"):
        RiskStratifier(graded=True)


def test_every_item_has_a_labelled_dropdown() -> None:
    widget = RiskStratifier()
    assert sorted(widget.dropdowns) == [i.number for i in RULES.items]
    for item in RULES.items:
        assert widget.dropdowns[item.number].description.startswith(f"{item.number}. ")
