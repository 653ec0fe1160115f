"""RecoverySimulator: deterministic, an inert treatment looks effective, a control group shows the truth."""

from __future__ import annotations

import pytest
from traitlets import TraitError

from widgets import evidence
from widgets.simulator import RecoverySimulator, average_course, course_at, simulate


def test_average_course_comes_from_the_natural_history_data() -> None:
    acute = [(p.weeks, p.mean_pain) for p in evidence().reference.natural_history if p.cohort == "acute"]
    course = average_course()
    assert course == sorted(acute)
    for weeks, pain in course:
        assert course_at(course, weeks) == pain
    assert course_at(course, course[-1][0] + 10) == course[-1][1]


def test_same_seed_same_result_different_seed_different_result() -> None:
    assert simulate(3, 100, True, 5, True) == simulate(3, 100, True, 5, True)
    assert simulate(3, 100, True, 5, True) != simulate(4, 100, True, 5, True)


def test_inert_treatment_looks_effective_without_a_control() -> None:
    res = simulate(1, 500, True, 0, False)
    assert res.treated_change > 10 and res.control_change is None and res.difference is None


def test_regression_to_the_mean_alone_still_looks_like_an_effect() -> None:
    res = simulate(1, 500, False, 0, False)
    assert res.treated_change > 3  # people came at their worst week


def test_randomised_control_shows_no_effect_beyond_placebo() -> None:
    no_placebo = simulate(1, 2000, True, 0, True)
    assert abs(no_placebo.difference) < 2.5
    with_placebo = simulate(1, 2000, True, 8, True)
    assert with_placebo.difference == pytest.approx(8, abs=2.5)


def test_widget_controls_drive_the_result_and_text() -> None:
    sim = RecoverySimulator(seed=2)
    assert "does nothing" in sim.summary.value
    assert "Tick “Add a randomised control group”" in sim.summary.value
    assert sim.result["control_change"] is None
    sim.randomised_box.value = True
    assert sim.randomised and sim.result["control_change"] is not None
    assert "The fair estimate of the treatment's effect is the gap between the groups" in sim.summary.value
    before = sim.result
    sim.run.click()
    assert sim.seed == 3 and sim.result != before
    sim.people_box.value = 50
    sim.placebo_box.value = 0
    sim.recovery_box.value = False
    res = simulate(3, 50, False, 0, True)
    assert sim.result["difference"] == pytest.approx(res.difference)
    assert "Control:" in sim.chart.value and 'role="img"' in sim.chart.value


def test_deterministic_widget() -> None:
    assert RecoverySimulator(seed=7).result == RecoverySimulator(seed=7).result


@pytest.mark.parametrize(
    ("name", "value"), [("people", 1), ("people", 10**6), ("placebo", -1), ("placebo", 99)]
)
def test_out_of_range_settings_are_refused(name: str, value: float) -> None:
    sim = RecoverySimulator()
    with pytest.raises(TraitError, match=f"{name} must be"):
        setattr(sim, name, value)


def test_every_control_has_a_name() -> None:
    sim = RecoverySimulator()
    for control in (sim.people_box, sim.recovery_box, sim.placebo_box, sim.randomised_box, sim.run):
        assert control.description
