"""RecoverySimulator: why "it worked for me" misleads.

Simulated people have back pain that goes up and down week to week and, on average, improves on
its own along the course of acute low back pain in ``evidence().reference.natural_history``. Each
person seeks treatment in the week their pain peaks, gets a treatment that does nothing, and is
asked again some weeks later. Their pain has dropped: natural recovery, regression to the mean
(the peak was partly bad luck) and any placebo response in how pain is reported all look like a
treatment effect. A randomised control group (seen at the same peak, not treated) shows the truth.

Pure Python (``random.Random(seed)``): the same settings always give the same people.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from statistics import fmean
from typing import Any

import ipywidgets as w
from traitlets import Bool, Dict, Float, Int, TraitError, validate

from widgets import _svg
from widgets._base import CourseWidget
from widgets._ui import fmt, shows_errors, status, wide_description
from widgets.evidence import evidence

PERSON_SPREAD = 8.0  # how much people's usual pain differs (points, standard deviation)
WEEKLY_WOBBLE = 10.0  # week-to-week fluctuation around a person's course (points, SD)
CARE_WINDOW = 4  # people seek care at their worst week among weeks 0..CARE_WINDOW-1
FOLLOW_UP = 4  # weeks between the visit and the follow-up question
MAX_PEOPLE = 2000


def average_course(cohort: str = "acute") -> list[tuple[float, float]]:
    """(weeks, mean pain 0-100) of the natural-history cohort, from the evidence data."""
    points = [(p.weeks, p.mean_pain) for p in evidence().reference.natural_history if p.cohort == cohort]
    if len(points) < 2:
        raise ValueError(f"natural history has fewer than two points for cohort {cohort!r}")
    return sorted(points)


def course_at(points: list[tuple[float, float]], week: float) -> float:
    """Mean pain at ``week``, interpolated linearly between the data points."""
    for (w0, p0), (w1, p1) in itertools.pairwise(points):
        if w0 <= week <= w1:
            return p0 + (p1 - p0) * (week - w0) / (w1 - w0)
    return points[-1][1] if week > points[-1][0] else points[0][1]


@dataclass(frozen=True)
class Result:
    """Average pain (0-100) at the visit and at follow-up, for each group."""

    treated_before: float
    treated_after: float
    control_before: float | None
    control_after: float | None

    @property
    def treated_change(self) -> float:
        """How many points the treated group's pain fell from the visit to follow-up."""
        return self.treated_before - self.treated_after

    @property
    def control_change(self) -> float | None:
        """How many points the control group's pain fell, or None without a control group."""
        if self.control_before is None or self.control_after is None:
            return None
        return self.control_before - self.control_after

    @property
    def difference(self) -> float | None:
        """Improvement in the treated group beyond the control group (the true effect estimate)."""
        change = self.control_change
        return None if change is None else self.treated_change - change


def simulate(seed: int, people: int, natural_recovery: bool, placebo: float, randomised: bool) -> Result:
    """Run the simulation. Pain is clipped to 0-100. The treatment itself does nothing."""
    rng = random.Random(seed)
    order = list(range(people))
    rng.shuffle(order)
    control = set(order[: people // 2]) if randomised else set()
    course = average_course()
    start = course[0][1]
    groups: dict[str, list[tuple[float, float]]] = {"treated": [], "control": []}
    for i in range(people):
        usual = rng.gauss(0, PERSON_SPREAD)

        def pain(week: int, usual: float = usual) -> float:
            mean = course_at(course, week) if natural_recovery else start
            return min(100.0, max(0.0, mean + usual + rng.gauss(0, WEEKLY_WOBBLE)))

        weeks = [pain(week) for week in range(CARE_WINDOW)]
        visit = max(range(CARE_WINDOW), key=lambda k: weeks[k])
        after = pain(visit + FOLLOW_UP)
        group = "control" if i in control else "treated"
        if group == "treated":
            after = max(0.0, after - placebo)  # what people report after a treatment they believe in
        groups[group].append((weeks[visit], after))

    def means(rows: list[tuple[float, float]]) -> tuple[float | None, float | None]:
        if not rows:
            return None, None
        return fmean(r[0] for r in rows), fmean(r[1] for r in rows)

    tb, ta = means(groups["treated"])
    cb, ca = means(groups["control"])
    assert tb is not None and ta is not None
    return Result(tb, ta, cb, ca)


def _one(value: float) -> str:
    return fmt(round(value, 1))


class RecoverySimulator(CourseWidget):
    """Simulate people who take an inert treatment at their worst, and what a control group shows."""

    seed = Int(1, help="random seed: the same seed gives the same people").tag(sync=True)
    people = Int(200, help="number of simulated people").tag(sync=True)
    natural_recovery = Bool(True, help="whether pain improves on its own over the weeks").tag(sync=True)
    placebo = Float(5.0, help="placebo response: points less pain reported after treatment").tag(sync=True)
    randomised = Bool(False, help="split people at random into treated and untreated groups").tag(sync=True)
    result = Dict(help="average pain before/after per group and the changes").tag(sync=True)

    def __init__(self, seed: int = 1, *, people: int = 200, natural_recovery: bool = True,
                 placebo: float = 5.0, randomised: bool = False) -> None:
        self._prepare()
        self.people_box = w.BoundedIntText(value=people, min=2, max=MAX_PEOPLE, step=10,
                                           description="Number of people:", **wide_description())
        self.recovery_box = w.Checkbox(value=natural_recovery, indent=False, layout=w.Layout(width="auto"),
                                       description="Pain improves on its own over time")
        self.placebo_box = w.BoundedFloatText(value=placebo, min=0, max=30, step=1,
                                              description="Placebo response (points):", **wide_description())
        self.randomised_box = w.Checkbox(value=randomised, description="Add a randomised control group",
                                         indent=False, layout=w.Layout(width="auto"))
        self.run = w.Button(description="Run again with a new group", tooltip="Simulate new people")
        self.run.add_class("lbp-simulator-run")
        self.run.on_click(self._on_run)
        self.summary = w.HTML(status(""))
        self.summary.add_class("lbp-simulator-result")
        self.chart = w.HTML()
        self.chart.add_class("lbp-simulator-chart")
        intro = w.HTML(
            "<h3>Did the treatment work?</h3><p>Each simulated person has back pain that goes up and down "
            "from week to week and, on average, eases over time the way acute back pain does in "
            "studies. People go for treatment in their worst week. The treatment here does "
            f"<strong>nothing</strong>. {FOLLOW_UP} weeks later we ask how their pain is.</p>"
        )
        super().__init__(
            [intro, self.people_box, self.recovery_box, self.placebo_box, self.randomised_box, self.run,
             self.summary, self.chart],
            seed=seed, people=people, natural_recovery=natural_recovery, placebo=placebo,
            randomised=randomised,
        )
        self.add_class("lbp-simulator")
        for box, name in ((self.people_box, "people"), (self.recovery_box, "natural_recovery"),
                          (self.placebo_box, "placebo"), (self.randomised_box, "randomised")):
            w.link((box, "value"), (self, name))
        self.observe(self._update, names=["seed", "people", "natural_recovery", "placebo", "randomised"])
        self._update()

    @validate("people")
    def _check_people(self, proposal: Any) -> int:
        if not 2 <= proposal["value"] <= MAX_PEOPLE:
            raise TraitError(f"people must be 2 to {MAX_PEOPLE}, not {proposal['value']}")
        return int(proposal["value"])

    @validate("placebo")
    def _check_placebo(self, proposal: Any) -> float:
        if not 0 <= proposal["value"] <= 30:
            raise TraitError(f"placebo must be 0 to 30 points, not {proposal['value']}")
        return float(proposal["value"])

    @shows_errors
    def _on_run(self, _button: w.Button | None = None) -> None:
        self.seed += 1

    @shows_errors
    def _update(self, _change: Any = None) -> None:
        res = simulate(self.seed, self.people, self.natural_recovery, self.placebo, self.randomised)
        self.result = {
            "treated_before": res.treated_before, "treated_after": res.treated_after,
            "treated_change": res.treated_change, "control_before": res.control_before,
            "control_after": res.control_after, "control_change": res.control_change,
            "difference": res.difference,
        }
        self.summary.value = status(self.summary_html(res))
        self.chart.value = self.chart_svg(res)

    def summary_html(self, res: Result) -> str:
        """What the run shows, in words: the improvement, and what a control group reveals of it."""
        treated = "half of them (picked at random)" if self.randomised else "everyone"
        text = (f"<p><strong>The treated people improved by {_one(res.treated_change)} points</strong> "
                f"on a 0 to 100 pain scale ({_one(res.treated_before)} at the visit, "
                f"{_one(res.treated_after)} after {FOLLOW_UP} weeks). The treatment was given to "
                f"{treated} and does nothing.</p>")
        if res.control_change is not None and res.difference is not None:
            text += (f"<p>The control group, seen in their worst week too but not treated, improved by "
                     f"{_one(res.control_change)} points. The fair estimate of the treatment's "
                     f"effect is the gap between the groups: <strong>{_one(res.difference)} "
                     "points</strong>.")
            if self.placebo:
                text += (f" The placebo response you set ({fmt(self.placebo)} points) is in that gap: a "
                         "sham treatment as control would remove it too.")
            text += "</p>"
        else:
            text += ("<p>Why did they improve? Pain often eases on its own, people come at their worst "
                     "week (so the next week is usually better anyway), and people may report less pain "
                     "after any treatment. Tick “Add a randomised control group” to see the truth.</p>")
        return text

    def chart_svg(self, res: Result) -> str:
        """Bars of average pain at the visit and at follow-up, per group."""
        later = f"{FOLLOW_UP} weeks later"
        bars = [("Treated: at visit", res.treated_before), (f"Treated: {later}", res.treated_after)]
        if res.control_before is not None and res.control_after is not None:
            bars += [("Control: at visit", res.control_before), (f"Control: {later}", res.control_after)]
        # Narrow enough to be drawn near its own size on a phone, so its 12 px words stay legible.
        width, left, right, row = 340, 150, 300, 26
        axis = _svg.Axis(0, 100, left, right)
        parts = []
        for i, (label, value) in enumerate(bars):
            y = 8 + i * row
            parts.append(_svg.text(0, y + 14, label, size=12))
            tone = _svg.ACCENT if "Treated" in label else _svg.GREY
            parts.append(_svg.rect(left, y, axis.x(value) - left, 18, fill=tone))
            parts.append(_svg.text(axis.x(value) + 4, y + 14, _one(value), size=12))
        height = 8 + len(bars) * row + 24
        parts.append(_svg.axis_ticks(axis, height - 22))
        label = "Average pain, 0 to 100: " + "; ".join(f"{lab} {_one(v)}" for lab, v in bars)
        return _svg.chart(width, height, label, "".join(parts))
