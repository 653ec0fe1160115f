"""Question banks: schema, loading and evidence placeholders.

A bank is a YAML file ``widgets/data/questions/<bank-id>.yaml`` (format in the module
``widgets.quiz`` docstring and the team's qbank contract). Numbers are never retyped: a numeric
question may take its answer from the evidence (``answer_from``), and any prompt, option text,
feedback or explanation may contain ``{ev:<treatment-id>/<estimate-id>/<field>}`` placeholders,
replaced on load with the value from the evidence base.

A bank that breaks the schema raises :class:`QuestionBankError` in the course's one error format
(file, entry = the question id, field).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from widgets._yaml import DataFileError, parse, problem, read_yaml
from widgets.concepts import tag_problem
from widgets.evidence import EvidenceBase, StrictModel, Text, evidence

QUESTIONS_DIR = Path(__file__).parent / "data" / "questions"
EV_FIELDS = (
    "estimate", "ci_low", "ci_high", "certainty", "studies", "participants", "comparison",
    "time_point",
)
_PLACEHOLDER = re.compile(r"\{ev:([^}]*)\}")

CERTAINTY_LEVELS = ("low", "medium", "high")
CERTAINTY_WORDS = {"low": "Not sure", "medium": "Fairly sure", "high": "Very sure"}


class QuestionBankError(DataFileError):
    """A question bank is malformed (the message names file, question and field)."""


class Option(StrictModel):
    """One answer option of a choice question, and the feedback a learner sees about it."""

    id: Text
    text: Text
    correct: bool | None = Field(None, description="whether the option is right; left out in a bank "
                                                   "whose keys the instructor keeps (keys: instructor)")
    feedback: str = ""


class CertaintyMark(StrictModel):
    """Certainty-based marking at one level of certainty: marks for a right and for a wrong answer."""

    right: float = Field(gt=0)
    wrong: float = Field(le=0)


class AnswerFrom(StrictModel):
    """Where a numeric question's answer is read: one field of one estimate in the evidence base."""

    treatment: Text
    estimate: Text
    field: Literal["estimate", "ci_low", "ci_high", "studies", "participants"]


class Question(StrictModel):
    """One question: single choice, multiple choice, or a number that counts within a tolerance."""

    id: Text
    kind: Literal["single", "multiple", "numeric"]
    prompt: Text
    options: list[Option] = Field(default_factory=list)
    answer: float | None = None
    answer_from: AnswerFrom | None = None
    tolerance: float | None = Field(None, ge=0)
    unit: str = ""
    explanation: str = ""
    points: float = Field(1, ge=0)
    audience: Literal["patient", "student"] = Field(
        "patient", description="who the question is for: patients (plain words) or students (technical)")
    certainty: bool = Field(False, description="ask how sure the learner is; where the instructor's "
                                               "key turns it on, graded with the bank's certainty_marks")
    concepts: list[str] = Field(
        description="the Informed Health Choices Key Concepts the question tests: codes from "
                          "widgets/data/ihc-key-concepts.yaml, or alone the marker 'content' (course "
                          "content, no Key Concept) or 'uncoded' (a Key Concept not in the vocabulary yet)")

    @field_validator("concepts")
    @classmethod
    def _known_concepts(cls, tags: list[str]) -> list[str]:
        if reason := tag_problem(tags):
            raise ValueError(reason)
        return tags

    @property
    def keyless(self) -> bool:
        """True if this question carries no answer key (its bank's keys are kept by the instructor)."""
        return (all(o.correct is None for o in self.options) and self.answer is None
                and self.answer_from is None)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        correct = [o for o in self.options if o.correct]
        if self.keyless:
            if self.kind in ("single", "multiple") and len({o.id for o in self.options}) < 2:
                raise ValueError("a choice question needs at least two different options")
            if self.kind == "numeric" and self.options:
                raise ValueError("a numeric question has no options")
            return self
        if self.kind in ("single", "multiple"):
            ids = [o.id for o in self.options]
            if len(ids) < 2:
                raise ValueError("a choice question needs at least two options")
            if len(set(ids)) != len(ids):
                raise ValueError(f"option ids repeat: {ids}")
            if self.kind == "single" and len(correct) != 1:
                raise ValueError(f"a single-choice question needs exactly one correct option, "
                                 f"found {len(correct)}")
            if self.kind == "multiple" and not correct:
                raise ValueError("a multiple-choice question needs at least one correct option")
            if self.answer is not None or self.answer_from is not None:
                raise ValueError("answer/answer_from belong to numeric questions only")
        else:
            if self.options:
                raise ValueError("a numeric question has no options")
            if (self.answer is None) == (self.answer_from is None):
                raise ValueError("a numeric question needs exactly one of answer / answer_from")
            if self.tolerance is None:
                raise ValueError("a numeric question needs a tolerance >= 0")
        return self

    @property
    def correct_ids(self) -> list[str]:
        """The ids of the correct options, sorted (empty for a numeric question)."""
        return sorted(o.id for o in self.options if o.correct)

    def is_right(self, answer: Any) -> bool:
        """The one answer key, used by the quiz widget and by the grader; never raises.

        single: the right option id; multiple: exactly the right ids, in any order; numeric: a
        number (not a bool) within the tolerance. Anything else, ``None`` included, is not right.
        A keyless question (keys kept by the instructor) calls nothing right.
        """
        if self.keyless:
            return False
        if self.kind == "single":
            return isinstance(answer, str) and answer == self.correct_ids[0]
        if self.kind == "multiple":
            return (isinstance(answer, list) and all(isinstance(a, str) for a in answer)
                    and sorted(answer) == self.correct_ids)
        if not isinstance(answer, int | float) or isinstance(answer, bool) or self.answer is None:
            return False
        return abs(float(answer) - self.answer) <= (self.tolerance or 0) + 1e-9


class Bank(StrictModel):
    """One quiz: its title and its questions, in the order they are asked."""

    id: Text
    title: Text
    shuffle: bool = False
    keys: Literal["bank", "instructor"] = Field(
        "bank", description="where the answer keys are: in this bank (lessons), or only in the "
                            "instructor's source, never on students' machines (graded assessments)")
    certainty_marks: dict[str, CertaintyMark] | None = Field(
        None, description="certainty-based marking: the marks for a right and a wrong answer at each "
                          "level of certainty (low, medium, high), shown to learners beside the choice")
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _certainty(self) -> Bank:
        marks = self.certainty_marks
        if marks is not None:
            if set(marks) != set(CERTAINTY_LEVELS):
                raise ValueError(f"certainty_marks needs exactly the levels {', '.join(CERTAINTY_LEVELS)}")
            rights = [marks[level].right for level in CERTAINTY_LEVELS]
            wrongs = [marks[level].wrong for level in CERTAINTY_LEVELS]
            if rights != sorted(set(rights)) or wrongs != sorted(set(wrongs), reverse=True):
                raise ValueError("certainty_marks: the surer the learner, the more a right answer must "
                                 "gain and a wrong one lose")
        asking = [q.id for q in self.questions if q.certainty]
        if asking and marks is None:
            raise ValueError(f"questions {asking} ask how sure the learner is: give the bank certainty_marks")
        return self

    @model_validator(mode="after")
    def _unique(self) -> Bank:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question ids repeat: {ids}")
        for q in self.questions:
            if self.keys == "bank" and q.keyless:
                raise ValueError(f"question {q.id!r} has no answer key (mark the right options, or give "
                                 "an answer); only a bank with keys: instructor leaves keys out")
            if self.keys == "instructor" and not q.keyless:
                raise ValueError(f"question {q.id!r} carries an answer key, but this bank's keys are kept "
                                 "by the instructor: remove correct, answer and answer_from")
            if self.keys == "instructor" and (q.explanation or any(o.feedback for o in q.options)):
                raise ValueError(f"question {q.id!r}: explanations and feedback give the answer away; "
                                 "a bank with keys: instructor has none")
        return self

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(q for q in self.questions if q.id == question_id)


def bank_path(path_or_id: str | Path) -> Path:
    """The file of a bank given by id (``passive-acupuncture``) or by path."""
    path = Path(path_or_id)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return QUESTIONS_DIR / f"{path_or_id}.yaml"


def known_banks() -> list[str]:
    """The id of every question bank in ``widgets/data/questions``."""
    return sorted(p.stem for p in QUESTIONS_DIR.glob("*.yaml"))


def load_bank(path_or_id: str | Path, ev: EvidenceBase | None = None) -> Bank:
    """Load, validate and resolve one question bank; raise QuestionBankError if it is bad."""
    path = bank_path(path_or_id)
    if not path.exists():
        raise QuestionBankError(
            f"no question bank {str(path_or_id)!r} (looked for {path}); known banks: "
            f"{', '.join(known_banks()) or 'none'}"
        )
    bank = parse(Bank, path, read_yaml(path, QuestionBankError), QuestionBankError)
    if bank.id != path.stem:
        raise QuestionBankError(
            problem(path, bank.id, "id", f"must equal the file name {path.stem!r}")
        )
    return _resolve(path, bank, ev or evidence())


def evidence_value(ev: EvidenceBase, ref: str) -> Any:
    """The value of ``<treatment-id>/<estimate-id>/<field>`` in the evidence base."""
    parts = ref.split("/")
    if len(parts) != 3:
        raise ValueError(f"{ref!r} must look like <treatment-id>/<estimate-id>/<field>")
    treatment_id, estimate_id, field = parts
    if field not in EV_FIELDS:
        raise ValueError(f"unknown field {field!r} in {ref!r}; use one of {', '.join(EV_FIELDS)}")
    try:
        treatment = ev.treatment(treatment_id)
    except KeyError as err:
        raise ValueError(err.args[0]) from None
    est = next((e for e in treatment.estimates if e.id == estimate_id), None)
    if est is None:
        known = ", ".join(e.id for e in treatment.estimates) or "none"
        raise ValueError(f"treatment {treatment_id!r} has no estimate {estimate_id!r}; known: {known}")
    return getattr(est, field)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "not reported" if value is None else str(value)


def _resolve(path: Path, bank: Bank, ev: EvidenceBase) -> Bank:
    """Replace {ev:...} placeholders and fill numeric answers from answer_from."""

    def fill(text: str, qid: str, field: str) -> str:
        def one(match: re.Match[str]) -> str:
            try:
                return _text(evidence_value(ev, match.group(1)))
            except ValueError as err:
                raise QuestionBankError(problem(path, qid, field, str(err))) from None

        return _PLACEHOLDER.sub(one, text)

    questions = []
    for q in bank.questions:
        update: dict[str, Any] = {
            "prompt": fill(q.prompt, q.id, "prompt"),
            "explanation": fill(q.explanation, q.id, "explanation"),
            "options": [
                o.model_copy(update={
                    "text": fill(o.text, q.id, f"options.{o.id}.text"),
                    "feedback": fill(o.feedback, q.id, f"options.{o.id}.feedback"),
                })
                for o in q.options
            ],
        }
        if q.answer_from is not None:
            ref = f"{q.answer_from.treatment}/{q.answer_from.estimate}/{q.answer_from.field}"
            try:
                value = evidence_value(ev, ref)
            except ValueError as err:
                raise QuestionBankError(problem(path, q.id, "answer_from", str(err))) from None
            if value is None:
                raise QuestionBankError(problem(path, q.id, "answer_from", f"{ref} is not reported"))
            update["answer"] = float(value)
        questions.append(q.model_copy(update=update))
    return bank.model_copy(update={"questions": questions})
