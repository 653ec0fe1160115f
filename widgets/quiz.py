"""Quiz: questions from a question bank, with text feedback, attempts and a score.

Question kinds: ``single`` (radio buttons), ``multiple`` (one checkbox per option) and
``numeric`` (a number box, right within a tolerance). Pressing *Check answer* counts an attempt,
shows per-option feedback and the explanation as text in a live region that screen readers
announce, and updates the score (full points for a fully right answer, else none).

In graded mode each checked answer is written at once to ``answers.json`` under
``quiz/<bank-id>/<question-id>`` as ``{"answer": ..., "attempts": n}`` (single: option id;
multiple: sorted list of option ids; numeric: float) and restored when the quiz is rebuilt.
Graded mode is for assessments, so it saves without telling right from wrong: the button reads
*Save answer*, the feedback confirms what was saved, and no score is shown until nbgrader marks it.

A question with ``certainty: true`` also asks how sure the learner is (low, medium, high), showing
the bank's ``certainty_marks`` beside each choice; the record gains ``"certainty"``. Where the
instructor's key asks for it (kind ``certainty``, see :mod:`widgets.grading`), the grader marks it so.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Bool, Float, Int, Unicode

from widgets._base import CourseWidget
from widgets._ui import ErrorBox, esc, fmt, load_record, shows_errors, status, wide_description
from widgets.answers import record_answer
from widgets.progress import Progress, record_checks, recording
from widgets.questions import (
    CERTAINTY_LEVELS,
    CERTAINTY_WORDS,
    Bank,
    CertaintyMark,
    Option,
    Question,
    load_bank,
)


def question_options(
    bank: Bank, question: Question, shuffle: bool | None = None, seed: int = 0,
) -> list[Option]:
    """The options of ``question`` in the order shown: the bank's order, or shuffled by a fixed seed."""
    options = list(question.options)
    if bank.shuffle if shuffle is None else shuffle:
        random.Random(f"{seed}/{bank.id}/{question.id}").shuffle(options)
    return options


def _mark(ok: bool) -> str:
    return "<strong>Correct.</strong>" if ok else "<strong>Not quite.</strong>"


class QuestionView(w.VBox):
    """One question: prompt, input, Check button and a feedback live region."""

    answer = AnyTrait(
        None, allow_none=True, help="the last checked answer (option id, list of ids or number)"
    ).tag(sync=True)
    attempts = Int(0, help="how many times the answer was checked").tag(sync=True)
    correct = Bool(None, allow_none=True, help="whether the last checked answer was right").tag(sync=True)
    error = Unicode("", help="the last error shown to the learner, if any").tag(sync=True)

    def __init__(
        self, question: Question, number: int, options: list[Option], key: str, *,
        graded: bool, answers_path: Path | str | None, errors: ErrorBox,
        marks: dict[str, CertaintyMark] | None = None,
    ) -> None:
        self.question = question
        self.options = options
        self.key = key
        self.graded = graded
        self.answers_path = answers_path
        self._errors = errors
        label = f"Answer to question {number}"
        self.prompt = w.HTML(f"<p><strong>Question {number}.</strong> {esc(question.prompt)}</p>")
        self.prompt.add_class("lbp-quiz-prompt")
        self.checkboxes: list[w.Checkbox] = []
        if question.kind == "single":
            self.input: w.Widget = w.RadioButtons(
                options=[(o.text, o.id) for o in options], value=None, description=label,
                **wide_description(),
            )
            inputs: list[w.Widget] = [self.input]
        elif question.kind == "multiple":
            self.checkboxes = [
                w.Checkbox(value=False, description=o.text, indent=False, layout=w.Layout(width="auto"))
                for o in options
            ]
            self.input = w.VBox(
                [w.HTML(f"<em>{esc(label)}: tick every option that is right.</em>"), *self.checkboxes]
            )
            inputs = [self.input]
        else:
            unit = f" ({question.unit})" if question.unit else ""
            self.input = w.FloatText(value=0.0, description=f"{label}{unit}", **wide_description())
            inputs = [self.input]
        self.input.add_class("lbp-quiz-input")
        self.marks = marks or {}
        self.sure: w.Dropdown | None = None
        if question.certainty:
            choices = [(f"{CERTAINTY_WORDS[level]}: {fmt(self.marks[level].right)} if right, "
                        f"{fmt(self.marks[level].wrong)} if wrong", level) for level in CERTAINTY_LEVELS]
            self.sure = w.Dropdown(options=[("Choose…", ""), *choices], value="",
                                   description="How sure are you?", **wide_description())
            self.sure.add_class("lbp-quiz-sure")
            inputs.append(self.sure)
        verb = "Save" if graded else "Check"
        self.check = w.Button(description=f"{verb} answer", tooltip=f"{verb} your {label.lower()}")
        self.check.add_class("lbp-quiz-check")
        self.check.on_click(self._on_check)
        self.feedback = w.HTML(status(""))
        self.feedback.add_class("lbp-quiz-feedback")
        super().__init__([self.prompt, *inputs, self.check, self.feedback])
        self.add_class("lbp-quiz-question")

    # -- reading and setting the learner's answer -------------------------------------------
    def current(self) -> Any:
        """The answer currently entered (not yet checked)."""
        if self.question.kind == "single":
            return self.input.value
        if self.question.kind == "multiple":
            return sorted(o.id for o, box in zip(self.options, self.checkboxes, strict=True) if box.value)
        return float(self.input.value)

    def set_current(self, value: Any) -> None:
        """Put an answer into the input (used to restore a recorded answer)."""
        kind = self.question.kind
        ids = [o.id for o in self.options]
        if kind == "single":
            if value not in ids:
                raise ValueError(f"{value!r} is not an option of {self.question.id!r}; options: {ids}")
            self.input.value = value
        elif kind == "multiple":
            unknown = set(value) - set(ids)
            if unknown:
                raise ValueError(f"{sorted(unknown)} are not options of {self.question.id!r}; options: {ids}")
            for option, box in zip(self.options, self.checkboxes, strict=True):
                box.value = option.id in value
        else:
            self.input.value = float(value)

    @property
    def certainty(self) -> str:
        """How sure the learner said they are ('' if the question does not ask, or not said yet)."""
        return self.sure.value if self.sure is not None else ""

    def certainty_html(self, right: bool) -> str:
        """Practice mode: the marks the answer would earn at the certainty the learner chose."""
        level = self.certainty
        if not level:
            return ""
        earned = self.marks[level].right if right else self.marks[level].wrong
        words = f"You said {CERTAINTY_WORDS[level].lower()}, so this answer earns {fmt(earned)}."
        if not right and level == "high":
            words += " Being sure and wrong costs the most."
        return f"<p>{esc(words)}</p>"

    # -- checking --------------------------------------------------------------------------
    def is_right(self, value: Any) -> bool:
        """Whether ``value`` answers this question right, by the bank's one answer key."""
        return self.question.is_right(value)

    def feedback_html(self, value: Any) -> str:
        """Practice mode: right or not, the feedback on each option or the number, and the explanation."""
        q = self.question
        ok = self.is_right(value)
        parts = [_mark(ok)]
        if q.kind == "single":
            chosen = next(o for o in self.options if o.id == value)
            parts.append(f"You chose “{esc(chosen.text)}”. {esc(chosen.feedback)}")
        elif q.kind == "multiple":
            items = []
            for o in self.options:
                ticked = o.id in value
                verdict = "right" if ticked == bool(o.correct) else "not right"
                what = "ticked" if ticked else "left unticked"
                items.append(f"<li>You {what} “{esc(o.text)}”: {verdict}. {esc(o.feedback)}</li>")
            parts.append(f"<ul>{''.join(items)}</ul>")
        else:
            assert q.answer is not None and q.tolerance is not None
            unit = f" {esc(q.unit)}" if q.unit else ""
            parts.append(
                f"You answered {fmt(float(value))}{unit}. The answer is {fmt(q.answer)}{unit} "
                f"(answers within {fmt(q.tolerance)} count as right)."
            )
        parts.append(self.certainty_html(ok))
        if q.explanation:
            parts.append(f"<p>{esc(q.explanation)}</p>")
        return status(" ".join(p for p in parts if p))

    def saved_html(self, value: Any) -> str:
        """Graded mode: confirm what was saved, without saying whether it is right."""
        q = self.question
        if q.kind == "numeric":
            unit = f" {esc(q.unit)}" if q.unit else ""
            what = f"{fmt(float(value))}{unit}"
        else:
            chosen = [value] if q.kind == "single" else value
            what = "; ".join(f"“{esc(o.text)}”" for o in self.options if o.id in chosen)
        sure = f" ({CERTAINTY_WORDS[self.certainty].lower()})" if self.certainty else ""
        return status(
            f"<strong>Answer saved:</strong> {what}{esc(sure)}. It is marked after you hand in; "
            "you can change it until then."
        )

    def show(self, value: Any) -> None:
        """Show the feedback on ``value`` (graded mode: only that it was saved) and keep it as the answer."""
        # The visible feedback goes first: each trait change below is a message of its own, and
        # the learner should not wait for them.
        if self.graded:
            self.feedback.value = self.saved_html(value)
            self.answer = value
            return
        self.feedback.value = self.feedback_html(value)
        self.answer = value
        self.correct = self.is_right(value)

    @shows_errors
    def _on_check(self, _button: w.Button | None = None) -> None:
        value = self.current()
        if value is None or value == []:
            self.feedback.value = status(f"Choose an answer first, then press {self.check.description}.")
            return
        if self.sure is not None and not self.certainty:
            self.feedback.value = status(f"Choose how sure you are too, then press {self.check.description}.")
            return
        self.show(value)
        self.attempts += 1
        if self.graded:
            record = {"answer": value, "attempts": self.attempts}
            if self.sure is not None:
                record["certainty"] = self.certainty
            record_answer(self.key, record, self.answers_path)

    def restore(self, record: Any) -> None:
        """Show a recorded answer again (graded mode), without counting an attempt."""
        if not isinstance(record, dict) or "answer" not in record:
            raise ValueError(f"recorded answer for {self.key} lacks 'answer': {record!r}")
        self.set_current(record["answer"])
        if self.sure is not None and record.get("certainty") in CERTAINTY_LEVELS:
            self.sure.value = record["certainty"]
        self.attempts = int(record.get("attempts", 1))
        self.show(self.current())


class Quiz(CourseWidget):
    """A quiz built from a question bank (id under widgets/data/questions, or a path).

    ``audience`` picks the bank's questions for patients (the default: plain words) or for
    students (technical ones, shown in a "For students" section of the page).

    Outside graded mode, a student who switched progress on (``widgets.progress``) has each checked
    answer noted in their progress file; ``progress`` names another file (tests).
    """

    bank_id = Unicode(help="id of the question bank").tag(sync=True)
    score = Float(0.0, help="points for questions whose last checked answer is right").tag(sync=True)
    max_score = Float(0.0, help="points available in the bank").tag(sync=True)
    attempts = Int(0, help="answers checked so far, all questions together").tag(sync=True)
    answered = Int(0, help="questions checked at least once").tag(sync=True)

    def __init__(
        self, bank_id_or_path: str | Path, *, graded: bool = False, shuffle: bool | None = None,
        seed: int = 0, answers_path: Path | str | None = None, audience: str = "patient",
        progress: Progress | None = None,
    ) -> None:
        self.bank: Bank = load_bank(bank_id_or_path)
        if self.bank.keys == "instructor" and not graded:
            raise ValueError(f"question bank {self.bank.id!r} has no answer keys (the instructor keeps "
                             "them): use it with graded=True, in an assessment")
        asked = [q for q in self.bank.questions if q.audience == audience]
        if not asked:
            raise ValueError(f"question bank {self.bank.id!r} has no questions for the audience {audience!r}")
        self._prepare(graded=graded, answers_path=answers_path)  # answers are stored per question
        record = load_record(graded, answers_path, self._errors)
        tracker = None if graded else recording(progress, self._errors)
        self.questions: list[QuestionView] = []
        for number, q in enumerate(asked, start=1):
            view = QuestionView(
                q, number, question_options(self.bank, q, shuffle, seed), f"quiz/{self.bank.id}/{q.id}",
                graded=graded, answers_path=answers_path, errors=self._errors,
                marks=self.bank.certainty_marks,
            )
            if tracker is not None:
                record_checks(view, f"{self.bank.id}/{q.id}", tracker, self._errors)
            view.observe(self._update_score, names=["correct", "attempts"])
            view.observe(self._copy_error, names=["error"])
            self.questions.append(view)
        self.score_text = w.HTML()
        self.score_text.add_class("lbp-quiz-score")
        heading = self.bank.title
        if audience == "student":
            heading += ": more questions for students"
        title = w.HTML(f"<h3>{esc(heading)}</h3>")
        super().__init__(
            [title, *self.questions, self.score_text],
            bank_id=self.bank.id, graded=graded, max_score=sum(q.points for q in asked),
        )
        self.add_class("lbp-quiz")
        for view in self.questions:
            if view.key in record:
                try:
                    view.restore(record[view.key])
                except (ValueError, TypeError) as err:
                    self._errors.show(f"Could not restore your earlier answer {record[view.key]!r}: {err}")
        self._update_score()

    def question(self, question_id: str) -> QuestionView:
        """The view of one question, by its id in the bank."""
        for view in self.questions:
            if view.question.id == question_id:
                return view
        known = ", ".join(v.question.id for v in self.questions)
        raise KeyError(f"no question {question_id!r} in bank {self.bank.id!r}; known: {known}")

    def _copy_error(self, change: Any) -> None:
        self.error = change["new"]

    def _update_score(self, _change: Any = None) -> None:
        self.score = sum(v.question.points for v in self.questions if v.correct)
        self.attempts = sum(v.attempts for v in self.questions)
        self.answered = sum(1 for v in self.questions if v.attempts)
        if self.graded:
            self.score_text.value = status(
                f"{self.answered} of {len(self.questions)} questions answered and saved. "
                "Marks appear after grading."
            )
            return
        self.score_text.value = status(
            f"Score: {fmt(self.score)} of {fmt(self.max_score)} points "
            f"({self.answered} of {len(self.questions)} questions checked)."
        )
