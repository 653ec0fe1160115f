"""Property-based tests: every widget driven with random values and sequences (hypothesis).

Out-of-range numbers, NaN and infinities, empty and odd strings, rapid repeated clicks, reveal
before predict. A refused value must raise ``TraitError`` (what ipywidgets sends back to the
browser) and leave the state valid; nothing else may escape, and the feedback must agree with the
state. In graded mode the answers record must always equal the widget's state.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from traitlets import TraitError

from widgets import (
    EvidenceExplorer,
    EvidenceSlider,
    FactorSorter,
    Quiz,
    RecoverySimulator,
    RiskStratifier,
    evidence,
    load_answers,
)
from widgets.questions import known_banks

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ODD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 1e-308, 100.0, -100.0, 0.5]),
)
ODD_TEXT = st.one_of(st.text(max_size=30), st.sampled_from(["", " ", "all", "acute", "chronic", "<b>x</b>"]))
TREATMENTS = sorted(evidence().treatments)


def _refused_or_ok(action: Any) -> bool:
    """Run ``action``; True if it went through, False if the widget refused it with TraitError."""
    try:
        action()
    except TraitError:
        return False
    return True


def _text(widget: Any) -> str:
    """All text a learner sees inside a widget tree (HTML and Label values, descriptions)."""
    parts = []
    for attr in ("value", "description"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            parts.append(value)
    for child in getattr(widget, "children", ()):
        parts.append(_text(child))
    return " ".join(parts)


# --- EvidenceSlider ---------------------------------------------------------------------------

SLIDER_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("type"), ODD_FLOATS),
        st.tuples(st.just("prediction"), ODD_FLOATS),
        st.tuples(st.sampled_from(["more", "less", "reveal"]), st.integers(1, 5)),
        st.tuples(st.just("sure"), st.sampled_from(["", "low", "medium", "high", "certain", None])),
    ),
    max_size=12,
)


@FUZZ
@given(treatment=st.sampled_from(TREATMENTS), steps=SLIDER_STEPS, graded=st.booleans())
def test_evidence_slider_survives_any_input(treatment: str, steps: list, graded: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.json"
        slider = EvidenceSlider(treatment, graded=graded, answers_path=path)
        for op, arg in steps:
            if op == "type":
                _refused_or_ok(lambda arg=arg: setattr(slider.input, "value", arg))
            elif op == "prediction":
                _refused_or_ok(lambda arg=arg: setattr(slider, "prediction", arg))
            elif op == "sure":
                _refused_or_ok(lambda arg=arg: setattr(slider.sure, "value", arg))
            else:
                button = {"more": slider.more, "less": slider.less, "reveal": slider.reveal_button}[op]
                for _ in range(arg):  # rapid repeated clicks
                    button.click()
            assert math.isfinite(slider.prediction)
            assert slider.minimum <= slider.prediction <= slider.maximum
            assert slider.error == "", slider.error
            if slider.revealed and slider.estimate is None:
                assert slider.verdict == "no estimate"  # e.g. lumbar-roll: said plainly
            elif slider.revealed:
                assert slider.verdict in ("above", "inside", "below")
            else:
                assert slider.verdict == ""
        if graded and path.exists():
            record = load_answers(path)[f"slider/{treatment}"]
            assert record == {"prediction": slider.prediction, "revealed": slider.revealed,
                              "confidence": slider.confidence}
        if not graded:
            assert not path.exists(), "patient mode wrote a file"


# --- Quiz ---------------------------------------------------------------------------------------

QUIZ_STEPS = st.lists(
    st.tuples(st.integers(0, 50), st.one_of(st.integers(0, 9), st.lists(st.integers(0, 9)), ODD_FLOATS),
              st.integers(0, 3)),
    max_size=10,
)


def _answer_for(view: Any, pick: Any) -> Any:
    ids = [o.id for o in view.options]
    kind = view.question.kind
    if kind == "single":
        return ids[pick % len(ids)] if isinstance(pick, int) else ids[0]
    if kind == "multiple":
        return sorted({ids[p % len(ids)] for p in pick}) if isinstance(pick, list) else []
    return pick if isinstance(pick, float) else float(pick) if isinstance(pick, int) else 0.0


@FUZZ
@given(bank=st.sampled_from([b for b in known_banks() if not b.startswith("assessment")]), steps=QUIZ_STEPS,
       graded=st.booleans())
def test_quiz_score_and_feedback_follow_the_answers(bank: str, steps: list, graded: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.json"
        quiz = Quiz(bank, graded=graded, answers_path=path)
        for index, pick, clicks in steps:
            view = quiz.questions[index % len(quiz.questions)]
            _refused_or_ok(lambda view=view, pick=pick: view.set_current(_answer_for(view, pick)))
            for _ in range(clicks):
                view.check.click()
            assert quiz.error == "", quiz.error
            if view.attempts and graded:
                assert view.correct is None  # graded mode never says right or wrong
            elif view.attempts:
                assert view.correct == view.is_right(view.answer)
        assert quiz.attempts == sum(q.attempts for q in quiz.questions)
        assert quiz.answered == sum(1 for q in quiz.questions if q.attempts)
        assert 0 <= quiz.score <= quiz.max_score
        if graded:
            record = load_answers(path) if path.exists() else {}
            for view in quiz.questions:
                key = f"quiz/{quiz.bank.id}/{view.question.id}"
                if view.attempts:
                    assert record[key]["attempts"] == view.attempts
                else:
                    assert key not in record


# --- the other widgets -------------------------------------------------------------------------


@FUZZ
@given(seed=st.integers(-10, 10**9), people=st.one_of(st.integers(-5, 10**6), ODD_FLOATS),
       placebo=ODD_FLOATS, recovery=st.booleans(), randomised=st.booleans(), runs=st.integers(0, 4))
def test_recovery_simulator_survives_any_setting(
    seed: int, people: Any, placebo: float, recovery: bool, randomised: bool, runs: int
) -> None:
    sim = RecoverySimulator(seed)
    _refused_or_ok(lambda: setattr(sim.people_box, "value", people))
    _refused_or_ok(lambda: setattr(sim.placebo_box, "value", placebo))
    sim.recovery_box.value = recovery
    sim.randomised_box.value = randomised
    for _ in range(runs):
        sim.run.click()
    assert sim.error == "", sim.error
    assert all(v is None or (isinstance(v, (int, float)) and math.isfinite(v)) for v in _numbers(sim.result))


def _numbers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, (int, float)) or value is None else []


@FUZZ
@given(steps=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 9)), max_size=15),
       checks=st.integers(0, 3), graded=st.booleans())
def test_factor_sorter_survives_any_sorting(steps: list, checks: int, graded: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.json"
        sorter = FactorSorter(graded=graded, answers_path=path)
        dropdowns = list(sorter.dropdowns.values())
        for which, choice in steps:
            box = dropdowns[which % len(dropdowns)]
            values = [v for _label, v in box.options]
            box.value = values[choice % len(values)]
        for _ in range(checks):
            sorter.check.click()
        assert sorter.error == "", sorter.error
        assert 0 <= sorter.sorted_right <= len(dropdowns)
        if not graded:
            assert not path.exists()


@FUZZ
@given(answers=st.dictionaries(st.one_of(st.integers(-3, 12).map(str), st.text(max_size=3)),
                               st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans()),
                               max_size=12),
       presses=st.integers(0, 3))
def test_risk_stratifier_refuses_or_scores_any_answers(answers: dict, presses: int) -> None:
    risk = RiskStratifier()
    _refused_or_ok(lambda: setattr(risk, "answers", answers))
    for _ in range(presses):
        risk.score_button.click()
    assert risk.group in ("", "low", "medium", "high")
    assert 0 <= risk.subscale <= risk.total or risk.group == ""


@FUZZ
@given(population=ODD_TEXT, category=ODD_TEXT, treatment=st.one_of(ODD_TEXT, st.sampled_from(TREATMENTS)))
def test_evidence_explorer_refuses_or_shows_any_filter(
    population: str, category: str, treatment: str
) -> None:
    explorer = EvidenceExplorer()
    for name, value in (("population", population), ("category", category), ("treatment_id", treatment)):
        _refused_or_ok(lambda name=name, value=value: setattr(explorer, name, value))
    assert explorer.chart.value
    assert explorer.population in ("all", "acute", "chronic")
