"""Each student's own numbers for an assessment's numeric items, so that neighbours work on different ones.

A variant is drawn from a seed made of the assignment and the student's nbgrader id, so the same
student always gets the same numbers, in JupyterLab and when graded. The student's notebook shows
them (``print(nnt_trial())``, ``print(review_result())``). A hidden test compares the student's answer with
``LBP_VARIANT[name]``: in the source, ``LBP_VARIANT = variant_answers(...)`` computes it (so that
``nbgrader validate`` works); at grading, ``InsertVariants`` (``assessments/instructor.py``)
replaces that line with the literal expected answers of the student being graded, so nothing the
student's code does can change what is expected. The instructor previews any student's variant with
``python assessments/instructor.py variant <assignment> <student>...``.
"""

from __future__ import annotations

import getpass
import hashlib
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass

STUDENT_ENV = "LBP_STUDENT"
GROUP_SIZE = 100


def student_id() -> str:
    """Whose numbers to show: the id set by the grader, else the hub user, else the login (as nbgrader)."""
    return os.environ.get(STUDENT_ENV) or os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def _draw(assignment: str, student: str) -> random.Random:
    """A random generator seeded by the assignment and the student (stable across Python versions)."""
    digest = hashlib.sha256(f"{assignment}\n{student}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class NntTrial:
    """An invented trial, two groups of 100: how many in each had a clinically important pain reduction."""

    usual_care: int
    exercise: int

    @property
    def control_rate(self) -> float:
        """The share of the usual-care group that improved."""
        return self.usual_care / GROUP_SIZE

    @property
    def treatment_rate(self) -> float:
        """The share of the exercise group that improved."""
        return self.exercise / GROUP_SIZE

    @property
    def nnt(self) -> int:
        """The number needed to treat, rounded up to a whole person."""
        return math.ceil(round(GROUP_SIZE / abs(self.exercise - self.usual_care), 9))

    def __str__(self) -> str:
        """The trial in words, as the student's notebook prints it."""
        return (f"Your trial (invented for practice; every student's numbers differ): {self.usual_care} of "
                f"{GROUP_SIZE} people who got usual care and {self.exercise} of {GROUP_SIZE} who did an "
                "exercise programme reported a clinically important pain reduction.")


def nnt_trial(student: str | None = None, assignment: str = "evidence-appraisal") -> NntTrial:
    """The student's own trial: 10 to 45 of 100 improve with usual care, 5 to 30 more with exercise."""
    draw = _draw(assignment, student or student_id())
    usual_care = draw.randint(10, 45)
    return NntTrial(usual_care, usual_care + draw.randint(5, 30))


@dataclass(frozen=True)
class ReviewResult:
    """An invented pooled result on the 0 to 100 pain scale, read against the course's MCID for it.

    Positive numbers mean more improvement with the treatment than with usual care.
    """

    benefit: float
    low: float
    high: float
    mcid: float

    @property
    def verdict(self) -> str:
        """"important": all the interval reaches the MCID; "too small": all of it is below; else "unclear"."""
        if self.low >= self.mcid:
            return "important"
        if self.high < self.mcid:
            return "too small"
        return "unclear"

    @property
    def includes_no_effect(self) -> bool:
        """Whether the interval contains 0, no difference (an end that touches it counts)."""
        return self.low <= 0 <= self.high

    def __str__(self) -> str:
        """The result in words, as the student's notebook prints it."""
        return (f"Your review's result (invented for practice; every student's numbers differ): pain "
                f"improved by {self.benefit:g} points more with the treatment than with usual care "
                f"(95% CI {self.low:g} to {self.high:g}) on a 0 to 100 scale; a negative number means usual "
                f"care did better. The MCID used here: {self.mcid:g} points.")


def review_result(student: str | None = None, assignment: str = "evidence-appraisal",
                  mcid: float | None = None) -> ReviewResult:
    """The student's own pooled result: a benefit of -4 to 28 points, 3 to 10 points either side.

    ``mcid`` defaults to the course's MCID for pain on a 0 to 100 scale (``widgets/data``).
    """
    if mcid is None:
        from widgets.evidence import evidence  # only here: the NNT trial needs no data

        found = evidence().mcid_for("pain-0-100")
        if found is None:
            raise ValueError("widgets/data gives no MCID for the scale pain-0-100")
        mcid = found.threshold
    draw = _draw(f"{assignment}\nreview", student or student_id())  # a stream of its own: the trial stays
    benefit, half = draw.randint(-40, 280) / 10, draw.randint(30, 100) / 10
    return ReviewResult(benefit, round(benefit - half, 1), round(benefit + half, 1), float(mcid))


def _evidence_appraisal(student: str) -> dict[str, object]:
    result = review_result(student, "evidence-appraisal")
    return {"exercise_nnt": nnt_trial(student, "evidence-appraisal").nnt,
            "review_verdict": result.verdict, "review_no_effect": result.includes_no_effect}


# Per assignment: the expected answers of a student's variant items, by the name the hidden test reads.
EXPECTED: dict[str, Callable[[str], dict[str, object]]] = {
    "evidence-appraisal": _evidence_appraisal,
}


def variant_answers(assignment: str, student: str | None = None) -> dict[str, object]:
    """The expected answers of ``student``'s variant of ``assignment`` (empty if it has none)."""
    expected = EXPECTED.get(assignment)
    return expected(student or student_id()) if expected else {}
