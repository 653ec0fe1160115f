"""EvidenceSlider: predict, reveal, feedback, graded write and restore, bad inputs."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from traitlets import TraitError

from widgets import evidence
from widgets._ui import fmt
from widgets.answers import load_answers
from widgets.slider import EvidenceSlider, verdict


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("treatment_id", sorted(evidence().treatments))
def test_every_treatment_predicts_and_reveals(treatment_id: str) -> None:
    slider = EvidenceSlider(treatment_id)
    assert slider.revealed is False and slider.panel.value == ""
    slider.prediction = slider.maximum
    slider.reveal_button.click()
    assert slider.revealed is True and slider.input.disabled
    treatment = evidence().treatment(treatment_id)
    panel = slider.panel.value
    for stance in treatment.stances:
        assert f"{stance.body} {stance.year}" in panel
    if treatment.headline is None:
        assert "No pooled estimate was found" in panel and slider.verdict == "no estimate"
        for missing in treatment.not_found:
            assert html.escape(missing) in panel
    else:
        assert slider.verdict in ("above", "inside")
        assert treatment.headline.certainty in panel
        assert 'aria-live="polite"' in slider.feedback.value


def test_massage_reveal_shows_the_data() -> None:
    est = evidence().treatment("massage").headline
    slider = EvidenceSlider("massage")
    b, low, high = est.benefit
    slider.prediction = slider.maximum
    slider.reveal_button.click()
    panel = slider.panel.value
    assert f"{est.measure} {fmt(est.estimate)} (95% CI {fmt(est.ci_low)} to {fmt(est.ci_high)})" in panel
    assert f"<strong>{fmt(b)}</strong> (from {fmt(low)} to {fmt(high)})" in panel
    assert f"{est.studies} studies, {est.participants} people" in panel
    assert "No agreed smallest change that matters to patients (MCID) was found" in panel  # SMD scale
    assert "Furlan AD" in panel and "only alongside exercise" in panel
    assert "You expected more benefit than the research shows." in slider.feedback.value
    assert f"Research: {fmt(b)} SD, 95% CI {fmt(low)} to {fmt(high)}" in slider.gauge.value


def massage_bounds() -> tuple[float, float]:
    _b, low, high = evidence().treatment("massage").headline.benefit
    return low, high


@pytest.mark.parametrize(("where", "expected"), [(-0.1, "below"), (0.5, "inside"), (1.1, "above")])
def test_feedback_against_the_interval(where: float, expected: str) -> None:
    low, high = massage_bounds()
    value = round(low + where * (high - low), 2)
    slider = EvidenceSlider("massage")
    slider.input.value = value  # typed into the box
    assert slider.prediction == value
    slider.reveal_button.click()
    assert slider.verdict == expected
    word = {"below": "less benefit", "inside": "inside the range", "above": "more benefit"}[expected]
    assert word in slider.feedback.value


def test_verdict_edges_are_inside() -> None:
    assert verdict(1.0, 1.0, 2.0) == verdict(2.0, 1.0, 2.0) == "inside"


def test_step_buttons_move_and_clamp() -> None:
    slider = EvidenceSlider("massage")
    slider.more.click()
    assert slider.prediction == pytest.approx(slider.input.step * 5)
    slider.less.click()
    assert slider.prediction == pytest.approx(0)
    for _ in range(20):
        slider.more.click()
    assert slider.prediction == slider.maximum
    assert f"Your prediction: {slider.maximum:g}" in slider.gauge.value


def test_mcid_line_shown_on_a_points_scale() -> None:
    with_mcid = [t for t in evidence().treatments.values()
                 if t.headline and evidence().mcid_for(t.headline.scale)]
    if not with_mcid:
        pytest.skip("no treatment with a headline on a scale with an MCID yet")
    t = with_mcid[0]
    slider = EvidenceSlider(t.id)
    slider.reveal_button.click()
    threshold = evidence().mcid_for(t.headline.scale).threshold
    assert "The dashed line marks the MCID" in slider.panel.value
    assert f"MCID {threshold:g}" in slider.gauge.value


def test_graded_writes_and_restores(_in_tmp: Path) -> None:
    low, high = massage_bounds()
    inside = round((low + high) / 2, 2)
    slider = EvidenceSlider("massage", graded=True)
    slider.prediction = inside
    assert load_answers()["slider/massage"] == {"prediction": inside, "revealed": False}
    slider.reveal_button.click()
    assert load_answers()["slider/massage"] == {"prediction": inside, "revealed": True}
    again = EvidenceSlider("massage", graded=True)
    assert again.prediction == inside and again.revealed and again.input.disabled
    assert "inside the range" in again.feedback.value


def test_corrupt_answers_file_is_shown_and_work_continues(_in_tmp: Path) -> None:
    (_in_tmp / "answers.json").write_text("[1, 2")
    slider = EvidenceSlider("massage", graded=True)
    assert "answers.json" in slider._errors.value
    slider.prediction = 1.0
    assert load_answers()["slider/massage"]["prediction"] == 1.0


def test_default_mode_writes_nothing(_in_tmp: Path) -> None:
    slider = EvidenceSlider("massage")
    slider.prediction = 1.0
    slider.reveal_button.click()
    assert list(_in_tmp.iterdir()) == []


def test_unknown_treatment_lists_known_ids() -> None:
    with pytest.raises(KeyError, match=r"unknown treatment id 'magic-crystals'.*massage"):
        EvidenceSlider("magic-crystals")


def test_out_of_range_prediction_is_refused() -> None:
    slider = EvidenceSlider("massage")
    with pytest.raises(TraitError, match=r"prediction 99.0 is outside"):
        slider.prediction = 99
    assert slider.prediction == 0.0


def test_every_control_has_an_accessible_name() -> None:
    slider = EvidenceSlider("massage")
    assert slider.input.description.startswith("Your prediction")
    for button in (slider.less, slider.more, slider.reveal_button):
        assert button.description
    assert 'role="img" aria-label="Your prediction' in slider.gauge.value
