"""Item analysis on a small class with known scores, in a real nbgrader gradebook.

Five students, four graded quiz cells of the real treatment-choices assignment (its source
notebook tells which answer each cell scores), the real question bank for option labels, and
answers files as the graded widgets write them; one of them is corrupt.
"""

from __future__ import annotations

import csv
import math
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assessments.item_analysis import (
    CONCEPT_FIELDS,
    CONCEPTS_FILE,
    OPTION_FIELDS,
    SUMMARY_FIELDS,
    discrimination,
    write_reports,
)
from tests.grading_support import COURSE, new_gradebook
from widgets.answers import record_answer

# A new nbgrader gradebook runs alembic in a subprocess (about 5-8 s here): kept out of `make test-fast`.
pytestmark = pytest.mark.grading

TC, BPS = "treatment-choices", "biopsychosocial-case"
BANK, CASE = "assessment-treatment-choices", "assessment-alex"
STUDENTS = ["s1", "s2", "s3", "s4", "s5"]
# cell -> (points, scores of s1..s5). Totals: 3, 3, 4, 2, 2.
SCORES = {
    "quiz-massage-certainty": (1, [1, 1, 1, 0, 0]),
    "quiz-passive-treatments": (2, [1, 1, 1, 0, 0]),  # nobody has full marks
    "quiz-nice-massage": (1, [0, 0, 1, 1, 1]),  # the weaker students do better: negative
    "quiz-massage-interval": (1, [1, 1, 1, 1, 1]),  # everyone right: zero variance
}
# Worked by hand (deviations from the mean; r = sum(dx*dy) / sqrt(sum(dx^2) * sum(dy^2))):
# massage-certainty: x = 1 1 1 0 0 (mean .6), rest = 2 2 3 2 2 (mean 2.2)
#   dx = .4 .4 .4 -.6 -.6, dy = -.2 -.2 .8 -.2 -.2: sum dx*dy = .4, sum dx^2 = 1.2, sum dy^2 = .8
#   r = .4 / sqrt(.96) = 1/sqrt(6). passive-treatments has the same scores and rest: 1/sqrt(6).
# nice-massage: x = 0 0 1 1 1 (mean .6), rest = totals 3 3 4 2 2 minus x = 3 3 3 1 1 (mean 2.2)
#   dx = -.6 -.6 .4 .4 .4, dy = .8 .8 .8 -1.2 -1.2: sum dx*dy = -.48-.48+.32-.48-.48 = -1.6,
#   sum dx^2 = 1.2, sum dy^2 = 3*.64 + 2*1.44 = 4.8; r = -1.6 / sqrt(5.76) = -1.6 / 2.4 = -2/3.
EXPECTED_R = {
    "quiz-massage-certainty": 1 / math.sqrt(6),
    "quiz-passive-treatments": 1 / math.sqrt(6),
    "quiz-nice-massage": -2 / 3,
}
# What each student chose; s5's answers file is corrupt.
CHOICES = {
    "s1": {"massage-certainty": "a", "nice-massage": "a", "passive-treatments": ["massage"],
           "massage-interval": "no"},
    "s2": {"massage-certainty": "a", "nice-massage": "c", "passive-treatments": ["massage"],
           "massage-interval": "no"},
    "s3": {"massage-certainty": "a", "nice-massage": "b", "passive-treatments": ["massage", "manipulation"],
           "massage-interval": "no"},
    "s4": {"massage-certainty": "b", "nice-massage": "b", "massage-interval": "no"},  # passive: not answered
}


def _gradebook(db_url: str) -> None:
    """Write the class's scores through nbgrader's own Gradebook API."""
    with new_gradebook(db_url) as gb:
        gb.add_assignment(TC)
        gb.add_notebook("choices", TC)
        for cell, (points, _) in SCORES.items():
            gb.add_grade_cell(cell, "choices", TC, max_score=points, cell_type="code")
        for student in STUDENTS:
            gb.add_student(student)
            with gb.db.no_autoflush:  # nbgrader builds the submission before adding it to the session
                gb.add_submission(TC, student)
            for cell, (_, scores) in SCORES.items():
                grade = gb.find_grade(cell, "choices", TC, student)
                grade.auto_score = scores[STUDENTS.index(student)]
                grade.needs_manual_grade = False  # as autograde leaves a passing or failing test cell
        gb.db.commit()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("items")
    course = tmp_path / "assessments"
    for assignment in (TC, BPS):
        shutil.copytree(COURSE / "source" / assignment, course / "source" / assignment)
    shutil.copy(COURSE / CONCEPTS_FILE, course / CONCEPTS_FILE)
    for student, answers in CHOICES.items():
        folder = course / "submitted" / student / TC
        folder.mkdir(parents=True)
        for question, value in answers.items():
            record = {"answer": value, "attempts": 1}
            record_answer(f"quiz/{BANK}/{question}", record, folder / "answers.json")
    broken = course / "submitted" / "s5" / TC
    broken.mkdir(parents=True)
    (broken / "answers.json").write_text("{not json", encoding="utf-8")
    # Two factor sorters in the other assignment (no gradebook rows there: options are still counted).
    for student, domain, flags in [("s1", "psychological", ["fear-of-bending"]), ("s2", "biological", [])]:
        folder = course / "submitted" / student / BPS
        folder.mkdir(parents=True)
        record_answer(f"factors/{CASE}", {"fear-of-bending": domain, "yellow_flags": flags},
                      folder / "answers.json")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    _gradebook(db_url)
    write_reports(course, db_url, course / "export", [TC, BPS])
    return course / "export"


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_summary_has_means_full_marks_and_hand_computed_discrimination(report: Path) -> None:
    fields, rows = _csv(report / "items-summary.csv")
    assert fields == SUMMARY_FIELDS
    by_question = {r["question"]: r for r in rows}
    assert set(by_question) == set(SCORES)
    for cell, (points, scores) in SCORES.items():
        row = by_question[cell]
        assert float(row["max_score"]) == points
        assert int(row["submissions"]) == 5
        assert float(row["mean_score"]) == pytest.approx(sum(scores) / 5)
        assert int(row["full_marks"]) == sum(s == points for s in scores)
        assert int(row["zero"]) == scores.count(0)
        assert row["needs_manual_grade"] == "0"
    for cell, r in EXPECTED_R.items():
        assert float(by_question[cell]["discrimination"]) == pytest.approx(r, abs=5e-4)
    assert by_question["quiz-nice-massage"]["discrimination_note"] == "negative: check this item"
    assert by_question["quiz-massage-certainty"]["discrimination_note"] == ""
    interval = by_question["quiz-massage-interval"]
    assert interval["discrimination"] == ""  # undefined, not 0
    assert interval["discrimination_note"] == "undefined: every student scored the same on this item"
    assert by_question["quiz-passive-treatments"]["full_marks"] == "0"


def test_option_counts_come_from_the_answers_files_and_skip_the_corrupt_one(report: Path) -> None:
    fields, rows = _csv(report / "item-options.csv")
    assert fields == OPTION_FIELDS
    count = {
        (r["question"], r["part"], r["option"]): (int(r["chosen"]), int(r["answered"]), int(r["submissions"]))
        for r in rows
    }
    # s5's file is unreadable: 4 submissions counted.
    assert count[("quiz-massage-certainty", "massage-certainty", "a")] == (3, 4, 4)
    assert count[("quiz-massage-certainty", "massage-certainty", "b")] == (1, 4, 4)
    assert count[("quiz-massage-certainty", "massage-certainty", "c")] == (0, 4, 4)
    assert count[("quiz-nice-massage", "nice-massage", "b")] == (2, 4, 4)
    assert count[("quiz-passive-treatments", "passive-treatments", "massage")] == (3, 3, 4)
    assert count[("quiz-passive-treatments", "passive-treatments", "manipulation")] == (1, 3, 4)
    assert count[("quiz-passive-treatments", "passive-treatments", "walking")] == (0, 3, 4)
    # Numeric questions are not choice items.
    assert not [r for r in rows if r["question"] == "quiz-how-sure"]
    labels = {(r["part"], r["option"]): r["option_text"] for r in rows}
    assert labels[("passive-treatments", "walking")] == "A walking programme"
    # The factor sorter: the domain chosen per factor, and the yellow flags marked.
    assert count[("factors-tests", "fear-of-bending", "psychological")] == (1, 2, 2)
    assert count[("factors-tests", "fear-of-bending", "biological")] == (1, 2, 2)
    assert count[("factors-tests", "low-mood", "social")] == (0, 0, 2)
    assert count[("yellow-flags-tests", "yellow_flags", "fear-of-bending")] == (1, 2, 2)


def test_results_per_concept_from_the_course_tags(report: Path) -> None:
    # concepts.yaml tags massage-certainty and massage-interval `uncoded`, passive-treatments and
    # nice-massage `content`. uncoded: fractions 1 1 1 0 0 and 1 1 1 1 1, mean 8/10. content:
    # passive-treatments (2 points) 1 1 1 0 0 gives .5 .5 .5 0 0, nice-massage 0 0 1 1 1: 4.5/10.
    fields, rows = _csv(report / "items-by-concept.csv")
    assert fields == CONCEPT_FIELDS
    by_concept = {r["concept"]: r for r in rows}
    uncoded, content = by_concept["uncoded"], by_concept["content"]
    assert float(uncoded["mean_fraction"]) == 0.8 and float(content["mean_fraction"]) == 0.45
    assert uncoded["submissions"] == content["submissions"] == "5"
    assert uncoded["responses"] == content["responses"] == "10"
    assert "treatment-choices/quiz-massage-certainty" in uncoded["questions"]
    assert "treatment-choices/quiz-nice-massage" in content["questions"]
    # Cells tagged but not in this gradebook are listed with no mean: explain-task tests concepts 2 and 3.
    assert by_concept["2"]["questions"] == "treatment-choices/explain-task"
    assert by_concept["2"]["responses"] == "0" and by_concept["2"]["mean_fraction"] == ""
    html_text = (report / "item-report.html").read_text(encoding="utf-8")
    assert "Results per concept" in html_text and "Concept 2" in html_text


class _Page(HTMLParser):
    """Collects the text, tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_self_contained_accessible_and_flags_the_negative_item(report: Path) -> None:
    page = _Page()
    source = (report / "item-report.html").read_text(encoding="utf-8")
    page.feed(source)
    page.close()
    text = " ".join(" ".join(page.text).split())
    tags = [tag for tag, _ in page.tags]
    assert "caption" in tags and "th" in tags and "svg" in tags
    charts = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert charts and all(a.get("role") == "img" and a.get("aria-label") for a in charts)
    assert not [a for _, a in page.tags if a.get("src") or (a.get("href") or "#").startswith(("http", "//"))]
    assert "<script" not in source and "http://" not in source.replace("http://www.w3.org", "")
    assert "How to read this" in text
    assert "Negative: check this item" in text and "treatment-choices / quiz-nice-massage" in text
    assert "undefined: every student scored the same on this item" in text
    assert "submitted/s5/treatment-choices/answers.json" in text  # named as unreadable
    assert "A walking programme" in text
    negative_rows = [a for tag, a in page.tags if tag == "tr" and a.get("class") == "negative"]
    assert len(negative_rows) == 1



def test_a_zero_correlation_is_zero_not_a_flagged_negative_rounding_error() -> None:
    # From the end-to-end test class (above-mcid-tests): sum of dx*dy is exactly 0, computed -2e-17.
    item = [0, 0, 2, 2, 2, 2, 2, 2, 0]
    rest = [0, 5, 3, 7, 5, 4, 3, 2, 7]
    assert discrimination(item, rest) == (0.0, "")
    assert discrimination([1, 0], [3, 1]) == (None, "undefined: fewer than 3 submissions")
    assert discrimination([1, 0, 1], [2, 2, 2])[1] == (
        "undefined: every student scored the same on the rest of the assignment")
