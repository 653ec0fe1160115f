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
    domain: Domain
    yellow_flag: bool = False
    explanation: Text


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
    factors: list[Factor] = Field(default_factory=list)
    startback: StartBackAnswers | None = None

    @model_validator(mode="after")
    def _unique(self) -> Case:
        ids = [f.id for f in self.factors]
        if len(set(ids)) != len(ids):
            raise ValueError(f"factor ids repeat: {ids}")
        if "yellow_flags" in ids:
            raise ValueError("'yellow_flags' is reserved and cannot be a factor id")
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
