"""EvidenceSlider: predict, reveal, feedback, graded write and restore, bad inputs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from traitlets import TraitError

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import _citations, evidence
from widgets._ui import fmt
from widgets.answers import load_answers
from widgets.slider import EvidenceSlider, verdict

DETAILS = re.compile(r"<details class='lbp-students'>.*</details>", re.S)


def split_panel(panel: str) -> tuple[str, str]:
    """(patient part, student details) of a revealed panel."""
    found = DETAILS.search(panel)
    assert found, "the panel has no closed 'For students' details"
    return DETAILS.sub("", panel), found.group(0)


def svg_labels(text_html: str) -> list[str]:
    """The aria-labels of the pictures in some HTML, unescaped."""
    return [html.unescape(label) for label in re.findall(r'<svg role="img" aria-label="([^"]*)"', text_html)]


def visible_text(text_html: str) -> str:
    """What a reader sees of some HTML: no style sheets, no SVG (its label is scored on its own), no tags."""
    text_html = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", text_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text_html))


def patient_strings(slider: EvidenceSlider) -> dict[str, str]:
    """Every string a patient sees in the slider outside the student details, by where it is."""
    found = {"intro": visible_text(slider.intro.value), "readout": visible_text(slider.readout.value),
             "range label": slider.range.label, "range words": slider.range.aria_valuetext,
             "how sure": " ".join([slider.sure.description, *(label for label, _v in slider.sure.options)])}
    found.update({f"picture {i}": label for i, label in enumerate(svg_labels(slider.gauge.value))})
    if slider.revealed:
        patient, _students = split_panel(slider.panel.value)
        found["feedback"] = visible_text(slider.feedback.value)
        found["panel"] = visible_text(patient)
        found.update({f"panel picture {i}": label for i, label in enumerate(svg_labels(patient))})
    return {where: text for where, text in found.items() if text.strip()}


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
    patient, students = split_panel(panel)
    assert f"{est.measure} {fmt(est.estimate)} (95% CI {fmt(est.ci_low)} to {fmt(est.ci_high)})" in students
    assert f"<strong>{fmt(b)}</strong> (from {fmt(low)} to {fmt(high)})" in students
    assert f"{est.studies} studies, {est.participants} people" in students
    assert "No agreed smallest change that matters to patients (MCID) was found" in students  # SMD
    assert "Furlan AD" in students and "only alongside exercise" in students
    assert "a moderate difference" in patient and "It could be anywhere from moderate to large." in patient
    assert "You guessed more benefit than the research found." in slider.feedback.value
    assert (f"anywhere from a moderate benefit ({fmt(low)}) to a large benefit ({fmt(high)}), "
            f"about {fmt(b)} on average") in svg_labels(patient)[0]
    assert slider.gauge.value == "" and slider.gauge.layout.display == "none"  # the panel pictures it


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


@pytest.mark.parametrize(("sure", "where", "words"), [
    ("high", 1.5, "You were very sure, but the research found something else. Feeling sure is not"),
    ("medium", 1.5, "You were fairly sure, but the research found something else."),
    ("low", -0.5, "You were not sure, and that was wise"),
    ("high", 0.5, "You were very sure, and the research agrees with your guess."),
    ("low", 0.5, "You were not sure, yet your guess was inside the range."),
])
def test_feedback_uses_how_sure_the_learner_was(sure: str, where: float, words: str) -> None:
    low, high = massage_bounds()
    slider = EvidenceSlider("massage")
    slider.prediction = max(slider.minimum, min(slider.maximum, round(low + where * (high - low), 2)))
    slider.sure.value = sure
    slider.reveal_button.click()
    assert words in html.unescape(slider.feedback.value)


def test_no_confidence_said_adds_nothing_and_a_bad_record_is_ignored(_in_tmp: Path) -> None:
    slider = EvidenceSlider("massage")
    slider.reveal_button.click()
    assert "sure" not in slider.feedback.value.split("</strong>", 1)[1]
    (_in_tmp / "answers.json").write_text('{"slider/massage": {"prediction": 1, "confidence": "certain"}}')
    assert EvidenceSlider("massage", graded=True).confidence == ""


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
    assert f"Your guess is {fmt(slider.maximum)}, a large benefit." in slider.gauge.value
    assert slider.range.value == slider.maximum


def test_mcid_line_shown_on_a_points_scale() -> None:
    with_mcid = [t for t in evidence().treatments.values()
                 if t.headline and evidence().mcid_for(t.headline.scale)]
    if not with_mcid:
        pytest.skip("no treatment with a headline on a scale with an MCID yet")
    t = with_mcid[0]
    slider = EvidenceSlider(t.id)
    slider.reveal_button.click()
    threshold = evidence().mcid_for(t.headline.scale).threshold
    patient, students = split_panel(slider.panel.value)
    assert "The dashed line in the picture marks the MCID" in students
    assert f"{fmt(threshold)} points: the smallest change that matters" in patient
    assert f"The smallest change that matters to people is {fmt(threshold)} points" in svg_labels(patient)[0]


def test_graded_writes_and_restores(_in_tmp: Path) -> None:
    low, high = massage_bounds()
    inside = round((low + high) / 2, 2)
    slider = EvidenceSlider("massage", graded=True)
    slider.prediction = inside
    assert load_answers()["slider/massage"] == {"prediction": inside, "revealed": False, "confidence": ""}
    slider.sure.value = "high"
    slider.reveal_button.click()
    assert load_answers()["slider/massage"] == {"prediction": inside, "revealed": True, "confidence": "high"}
    again = EvidenceSlider("massage", graded=True)
    assert again.prediction == inside and again.revealed and again.input.disabled and again.sure.disabled
    assert again.confidence == again.sure.value == "high"
    assert "inside the range" in again.feedback.value
    assert "You were very sure, and the research agrees" in again.feedback.value


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
    assert 'role="img" aria-label="A bar of sizes: very small, small, moderate and large benefit.' in (
        slider.gauge.value
    )
    assert slider.range.label == "Your guess" and slider.range.aria_valuetext == "0 means no difference"


def test_range_is_linked_both_ways_and_says_the_value_in_words() -> None:
    slider = EvidenceSlider("massage")
    slider.range.value = 0.5  # moved in the browser
    assert slider.prediction == 0.5 and slider.input.value == 0.5
    assert slider.range.aria_valuetext == "0.5 is a moderate benefit"
    assert "0.5, a moderate benefit" in slider.readout.value
    slider.input.value = 0.33  # typed: the range follows and the typed value is kept
    assert slider.range.value == 0.33 and slider.prediction == 0.33
    assert slider.range.aria_valuetext == "0.33 is a small benefit"
    slider.less.click()
    assert slider.range.value == pytest.approx(0.33 - slider.input.step * 5)
    slider.range.value = 0.30000000000000004  # a browser's float
    assert slider.input.value == 0.3
    slider.reveal_button.click()
    assert slider.range.disabled


def test_range_words_on_a_pain_ruler() -> None:
    slider = EvidenceSlider("acupuncture")
    slider.range.value = 10
    assert slider.range.aria_valuetext == "10 points less pain"
    slider.range.value = -5
    assert slider.range.aria_valuetext == "5 points worse"
    assert slider.range.min == slider.minimum and slider.range.max == slider.maximum
    assert slider.range.step == slider.input.step


@pytest.mark.parametrize("treatment_id", sorted(evidence().treatments))
def test_patient_text_reads_at_grade_8_or_below(treatment_id: str) -> None:
    slider = EvidenceSlider(treatment_id)
    seen = patient_strings(slider)
    _b, low, high = slider.estimate.benefit if slider.estimate else (0, 0, 0)
    guesses = [slider.minimum, (low + high) / 2, slider.maximum]  # below, inside, above
    for n, guess in enumerate(guesses):
        slider.confidence = ["high", "medium", "low"][n]
        slider.prediction = round(guess, 2)
        slider.revealed = True
        seen.update({f"{where} ({n})": text for where, text in patient_strings(slider).items()})
    assert {"intro", "readout (0)", "feedback (0)", "panel (0)"} <= set(seen)
    grades = {where: fk_grade(text) for where, text in seen.items()}
    assert all(g <= MAX_PATIENT_GRADE for g in grades.values()), {
        where: (round(g, 1), seen[where][:80]) for where, g in grades.items() if g > MAX_PATIENT_GRADE
    }
    whole = " ".join(seen[where] for where in ("intro", "feedback (1)", "panel (1)"))
    assert fk_grade(whole) <= MAX_PATIENT_GRADE


@pytest.mark.parametrize("treatment_id", sorted(evidence().treatments))
def test_numbers_are_for_students_only(treatment_id: str) -> None:
    slider = EvidenceSlider(treatment_id)
    slider.reveal_button.click()
    assert "<details class='lbp-students'><summary>For students: the numbers</summary>" in slider.panel.value
    patient = " ".join(patient_strings(slider).values())
    for term in ("95% CI", "SMD", "MD ", "MCID"):
        assert term not in patient, term
    _patient, students = split_panel(slider.panel.value)
    est = slider.estimate
    if est is not None:
        interval = f"(95% CI {fmt(est.ci_low)} to {fmt(est.ci_high)})"
        assert f"{est.measure} {fmt(est.estimate)} {interval}" in students
        assert "Turned so that larger means more benefit" in students
        assert est.certainty_text in html.unescape(students)


@pytest.mark.parametrize("treatment_id", sorted(t.id for t in evidence().treatments.values() if t.headline))
def test_each_result_has_its_picture(treatment_id: str) -> None:
    slider = EvidenceSlider(treatment_id)
    slider.reveal_button.click()
    patient, _students = split_panel(slider.panel.value)
    labels = svg_labels(patient)
    if slider.picture == "ruler":
        assert labels and labels[0].startswith(f"A picture of {slider.scale.in_plain_words}.")
    elif slider.picture == "sizes":
        assert labels and labels[0].startswith("A bar of sizes")
        assert all(word in patient for word in ("very small", "small", "moderate", "large"))
    else:  # a scale nobody can picture: no picture in the panel, the guess stays on the plain axis
        assert labels == [] and "Your guess is" in slider.gauge.value
    if labels:
        assert "The research found anywhere from" in labels[0] and "Your guess is" in labels[0]


def test_size_and_certainty_sources_are_cited() -> None:
    _citations.forget()
    EvidenceSlider("massage")
    assert {"furlan2015", "cochranehandbook2011", "balshem2011"} <= set(_citations.cited())
    _citations.forget()
    EvidenceSlider("acupuncture")
    assert "balshem2011" in _citations.cited() and "cochranehandbook2011" not in _citations.cited()
