"""Review: retrieval practice at the top of a lesson, two short questions from earlier lessons.

``Review("04a")`` draws from the question banks of the lessons before 04a in the course's order
(``widgets/data/course.yaml``), never from the lesson itself or a later one. It asks the patient
questions by default, so every reader can answer them, and only choice questions (short ones). Each
question is the quiz's own view (:class:`widgets.quiz.QuestionView`), with the quiz's feedback.

Which two: by default the same two for every visitor of a page, chosen by a generator seeded with
the lesson, from two different lessons when it can. For a student who switched progress on
(``widgets.progress``, JupyterLab only), questions answered wrong come first, then questions never
checked, then the rest, in a new order each time; each answer checked here is noted too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import ipywidgets as w
from traitlets import Unicode

from widgets._base import CourseWidget
from widgets._ui import esc
from widgets.course import Lesson, course
from widgets.progress import Progress, record_checks, recording
from widgets.questions import Bank, Question, load_bank
from widgets.quiz import QuestionView, question_options

COUNT = 2
HEADING = "Quick review: two questions from earlier lessons"
INTRO = "Try to answer from memory. Bringing back what you learnt helps you keep it."
SOURCE = "From the lesson {title}"  # the title is a link to the lesson
KINDS = ("single", "multiple")  # short questions: a numeric one needs its lesson's numbers
# With progress on: answered wrong first, then never checked, then answered right.
WRONG, UNSEEN, RIGHT = 0, 1, 2


@dataclass(frozen=True)
class Candidate:
    """A question that a review may ask, and the earlier lesson whose bank holds it."""

    lesson: Lesson
    bank: Bank
    question: Question

    @property
    def key(self) -> str:
        """``<bank id>/<question id>``: the question's key in the progress file."""
        return f"{self.bank.id}/{self.question.id}"


def candidates(lesson: str, audience: str = "patient") -> list[Candidate]:
    """Every question a review at ``lesson`` may ask: from earlier lessons' banks, in course order."""
    manifest = course()
    here = manifest.lesson(lesson)
    found = []
    for earlier in manifest.lessons[: manifest.index(here.file)]:
        bank = load_bank(earlier.quiz_bank)
        found += [Candidate(earlier, bank, q) for q in bank.questions
                  if q.audience == audience and q.kind in KINDS]
    return found


def choose(pool: list[Candidate], lesson: str, count: int = COUNT,
           results: dict[str, bool] | None = None, seed: int | str | None = None) -> list[Candidate]:
    """``count`` questions from ``pool``; from different lessons where the ranking allows.

    Without ``results`` (no progress) the choice is fixed by ``lesson``: every visitor gets the same.
    With ``results`` (question key -> last answer right), wrong ones come first, then unseen ones,
    then right ones; ties are broken at random (by ``seed`` if given).
    """
    def rank(c: Candidate) -> int:
        if results is None:
            return 0
        return UNSEEN if c.key not in results else (RIGHT if results[c.key] else WRONG)

    rng = random.Random(f"review/{lesson}" if results is None else seed)
    ties = {c.key: rng.random() for c in pool}
    order = sorted(pool, key=lambda c: (rank(c), ties[c.key]))
    chosen: list[Candidate] = []
    for i, candidate in enumerate(order):
        if len(chosen) == count:
            break
        new_lesson = all(candidate.lesson != x.lesson for x in chosen)
        # A second question from a lesson already asked only if no equally ranked one from another is left.
        if not new_lesson and any(rank(o) == rank(candidate) and all(o.lesson != x.lesson for x in chosen)
                                  for o in order[i + 1:]):
            continue
        chosen.append(candidate)
    chosen += [c for c in order if c not in chosen][: count - len(chosen)]
    return chosen


class Review(CourseWidget):
    """Two short questions from earlier lessons, at the top of lesson ``lesson`` ('02', '04a', ...)."""

    lesson = Unicode(help="the number of the lesson the review opens").tag(sync=True)

    def __init__(self, lesson: str, *, count: int = COUNT, audience: str = "patient",
                 progress: Progress | None = None, seed: int | str | None = None) -> None:
        self._prepare()
        here = course().lesson(lesson)
        pool = candidates(here.number, audience)
        if not pool:
            raise ValueError(f"no earlier lesson than {here.number} has {audience} questions to review")
        tracker = recording(progress, self._errors)  # None in Voila or for a malformed file
        results = tracker.results() if tracker is not None and tracker.on else None
        self.chosen = choose(pool, here.number, count, results, seed)
        self.questions: list[QuestionView] = []
        items: list[w.Widget] = []
        for number, c in enumerate(self.chosen, start=1):
            view = QuestionView(
                c.question, number, question_options(c.bank, c.question),
                f"quiz/{c.key}", graded=False, answers_path=None, errors=self._errors,
            )
            if tracker is not None:
                record_checks(view, c.key, tracker, self._errors)
            link = f'<a href="{esc(c.lesson.file)}">{esc(c.lesson.title)}</a>'
            source = w.HTML(f'<p class="lbp-review-source">{esc(SOURCE).format(title=link)}</p>')
            self.questions.append(view)
            items += [source, view]
        heading = w.HTML(f"<h2>{esc(HEADING)}</h2><p>{esc(INTRO)}</p>")
        super().__init__([heading, *items], lesson=here.number)
        self.add_class("lbp-review")
