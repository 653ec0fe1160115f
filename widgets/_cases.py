"""Fictional patient cases used by FactorSorter and RiskStratifier (``widgets/data/cases``).

Each case is a short story plus, optionally, its factors (for sorting into biological,
psychological and social, with yellow flags) and how the person would answer the nine STarT Back
items. All people in the cases are invented.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets._yaml import DataFileError, parse, problem, read_yaml
from widgets.evidence import StrictModel, Text

CASES_DIR = Path(__file__).parent / "data" / "cases"
Domain = Literal["biological", "psychological", "social"]
DOMAINS: tuple[str, ...] = ("biological", "psychological", "social")
AGREE, DISAGREE = "agree", "disagree"
# The answers item 9 (bothersomeness) offers; which of them score comes from reference.yaml.
ITEM9_LEVELS = ("not at all", "slightly", "moderately", "very much", "extremely")

class CaseError(DataFileError):
    """A case file is malformed or missing (the message names the file and field)."""


class Factor(StrictModel):
    id: Text
    text: Text
    domain: Domain | None = Field(None, description="left out when the instructor keeps the keys")
    yellow_flag: bool = Field(False, description="left out when the instructor keeps the keys")
    explanation: str = ""

    @property
    def keyless(self) -> bool:
        return self.domain is None and not self.yellow_flag and not self.explanation


class StartBackAnswers(StrictModel):
    answers: dict[int, str]
    explanation: Text

    @model_validator(mode="after")
    def _complete(self) -> StartBackAnswers:
        if sorted(self.answers) != list(range(1, 10)):
            raise ValueError("answers must give items 1 to 9")
        for number, answer in self.answers.items():
            allowed = ITEM9_LEVELS if number == 9 else (AGREE, DISAGREE)
            if answer not in allowed:
                raise ValueError(f"item {number}: {answer!r} is not one of {allowed}")
        return self


class Case(StrictModel):
    id: Text
    title: Text
    story: Text
    keys: Literal["case", "instructor"] = Field(
        "case", description="where the factors' domains and yellow flags are: in this case (lessons), or "
                            "only in the instructor's source, never on students' machines (assessments)")
    factors: list[Factor] = Field(default_factory=list)
    startback: StartBackAnswers | None = None

    @model_validator(mode="after")
    def _unique(self) -> Case:
        ids = [f.id for f in self.factors]
        if len(set(ids)) != len(ids):
            raise ValueError(f"factor ids repeat: {ids}")
        if "yellow_flags" in ids:
            raise ValueError("'yellow_flags' is reserved and cannot be a factor id")
        for f in self.factors:
            if self.keys == "instructor" and not f.keyless:
                raise ValueError(f"factor {f.id!r}: this case's keys are kept by the instructor; remove its "
                                 "domain, yellow_flag and explanation")
            if self.keys == "case" and (f.domain is None or not f.explanation):
                raise ValueError(f"factor {f.id!r} needs a domain and an explanation")
        return self


def known_cases() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.yaml"))


@cache
def load_case(case_id: str) -> Case:
    """Load one case by id; raise CaseError naming the file (or the known ids)."""
    path = CASES_DIR / f"{case_id}.yaml"
    if not path.exists():
        raise CaseError(f"unknown case id {case_id!r}; known ids: {', '.join(known_cases())}")
    case = parse(Case, path, read_yaml(path, CaseError), CaseError)
    if case.id != path.stem:
        raise CaseError(problem(path, case.id, "id", f"must equal the file name {path.stem!r}"))
    return case
