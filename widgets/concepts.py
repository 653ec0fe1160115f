"""Concept tags: the Informed Health Choices (IHC) Key Concepts a question tests.

The vocabulary is data, ``widgets/data/ihc-key-concepts.yaml``: each concept's code (as numbered in
the source that was read), the group it belongs to (claims, comparisons or choices) and a short
label in the course's own words, plus the source and how much of it was read. Two markers stand for
"no concept": ``content`` (the question tests course content, not a Key Concept) and ``uncoded`` (it
tests a Key Concept that the vocabulary does not list yet). A marker stands alone in a tag list.

Every question of every bank carries ``concepts`` (checked when the bank loads, see
:func:`tag_problem`); the nbgrader assessments' graded cells are tagged in
``assessments/concepts.yaml`` (:func:`load_cell_concepts`), checked against the same vocabulary.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from widgets._yaml import DataFileError, parse, problem, read_yaml
from widgets.evidence import StrictModel, Text

VOCABULARY_FILE = Path(__file__).parent / "data" / "ihc-key-concepts.yaml"
GROUPS = ("claims", "comparisons", "choices")
Group = Literal["claims", "comparisons", "choices"]
MARKERS = ("content", "uncoded")
# The first digit of a subgroup code names its group, as in the IHC lists.
GROUP_DIGIT = {"1": "claims", "2": "comparisons", "3": "choices"}


class ConceptsError(DataFileError):
    """The concept vocabulary or a file of concept tags is malformed (file, entry and field named)."""


class VocabularySource(StrictModel):
    """Where the vocabulary was read, and whether all of the source's list was read."""

    citation: Text
    doi: str | None = None
    url: Text = Field(pattern=r"^https?://", description="address of the copy actually read")
    read_in: Text = Field(description="which part of the source the list was read in")
    version: Text = Field(description="the version of the Key Concepts the codes belong to")
    complete: bool = Field(description="true only if every concept of the source's list is here")
    missing: str = Field("", description="what of the source's list is not here, and why")

    @model_validator(mode="after")
    def _says_what_is_missing(self) -> VocabularySource:
        if not self.complete and not self.missing.strip():
            raise ValueError("an incomplete vocabulary must say in 'missing' which concepts are left out")
        return self


class GroupEntry(StrictModel):
    """One of the three main groups of Key Concepts."""

    id: Group
    label: Text


class Subgroup(StrictModel):
    """A numbered subgroup (higher-level concept) of one group, such as 1.2."""

    code: str = Field(pattern=r"^[1-3]\.[0-9]+$")
    group: Group
    label: Text


class Concept(StrictModel):
    """One Key Concept: its code as numbered in the source, its subgroup and group, our label."""

    code: str = Field(pattern=r"^[0-9]+[a-z]?$|^[1-3]\.[0-9]+[a-z]$",
                      description="the concept's code as the source numbers it")
    subgroup: str = Field(pattern=r"^[1-3]\.[0-9]+$")
    group: Group
    label: Text = Field(description="a short label in the course's own words, not the source's")


class Marker(StrictModel):
    """A documented tag for a question that tests no concept of the vocabulary."""

    code: Literal["content", "uncoded"]
    label: Text


class Vocabulary(StrictModel):
    """The fixed list of Key Concepts that questions may be tagged with."""

    source: VocabularySource
    groups: list[GroupEntry]
    subgroups: list[Subgroup]
    concepts: list[Concept] = Field(min_length=1)
    markers: list[Marker]

    @model_validator(mode="after")
    def _consistent(self) -> Vocabulary:
        if sorted(g.id for g in self.groups) != sorted(GROUPS):
            raise ValueError(f"groups must be exactly {', '.join(GROUPS)}")
        if sorted(m.code for m in self.markers) != sorted(MARKERS):
            raise ValueError(f"markers must be exactly {', '.join(MARKERS)}")
        codes = [s.code for s in self.subgroups]
        if len(set(codes)) != len(codes):
            raise ValueError(f"subgroup codes repeat: {sorted(c for c in codes if codes.count(c) > 1)}")
        subgroups = {s.code: s for s in self.subgroups}
        for s in self.subgroups:
            if GROUP_DIGIT[s.code[0]] != s.group:
                raise ValueError(f"subgroup {s.code!r} is numbered in {GROUP_DIGIT[s.code[0]]!r}, "
                                 f"not {s.group!r}")
        codes = [c.code for c in self.concepts]
        if len(set(codes)) != len(codes):
            raise ValueError(f"concept codes repeat: {sorted({c for c in codes if codes.count(c) > 1})}")
        for c in self.concepts:
            if c.subgroup not in subgroups:
                raise ValueError(f"concept {c.code!r}: unknown subgroup {c.subgroup!r}")
            if subgroups[c.subgroup].group != c.group:
                raise ValueError(f"concept {c.code!r}: group {c.group!r} differs from its subgroup's "
                                 f"{subgroups[c.subgroup].group!r}")
        return self

    def concept(self, code: str) -> Concept:
        """The concept with this code (KeyError if there is none)."""
        for c in self.concepts:
            if c.code == code:
                return c
        raise KeyError(code)

    def label(self, code: str) -> str:
        """The label of a concept or a marker."""
        for m in self.markers:
            if m.code == code:
                return m.label
        return self.concept(code).label

    def group_of(self, code: str) -> str:
        """The group of a concept, or '' for a marker."""
        return "" if code in MARKERS else self.concept(code).group

    def codes(self) -> list[str]:
        """Every code a question may carry: the concepts in the file's order, then the markers."""
        return [c.code for c in self.concepts] + list(MARKERS)


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Load and validate a vocabulary file; raise ConceptsError naming the file and field."""
    return parse(Vocabulary, path, read_yaml(path, ConceptsError), ConceptsError)


@cache
def vocabulary() -> Vocabulary:
    """The course's vocabulary, loaded once."""
    return load_vocabulary()


def tag_problem(tags: list[str], vocab: Vocabulary | None = None) -> str | None:
    """Why a list of concept tags is not valid, or None if it is.

    Valid: at least one tag; no tag twice; each a concept code of the vocabulary or a marker; a
    marker (``content``, ``uncoded``) only on its own.
    """
    vocab = vocab or vocabulary()
    if not tags:
        return ("no concept: give at least one code, or the marker 'content' (course content, no "
                "Key Concept) or 'uncoded' (a Key Concept not in the vocabulary yet)")
    if len(set(tags)) != len(tags):
        return f"a concept repeats: {tags}"
    known = set(vocab.codes())
    unknown = [t for t in tags if t not in known]
    if unknown:
        return (f"unknown concept code(s) {', '.join(repr(t) for t in unknown)}; the vocabulary "
                f"{VOCABULARY_FILE.name} has {', '.join(c.code for c in vocab.concepts)} and the "
                f"markers {', '.join(MARKERS)}")
    markers = [t for t in tags if t in MARKERS]
    if markers and len(tags) > 1:
        return f"the marker {markers[0]!r} stands alone; it cannot be combined with other codes: {tags}"
    return None


class CellConcepts(StrictModel):
    """assessments/concepts.yaml: for each assignment, each graded cell's grade_id and its tags."""

    assignments: dict[str, dict[str, list[str]]] = Field(min_length=1)


def load_cell_concepts(path: Path, vocab: Vocabulary | None = None) -> dict[str, dict[str, list[str]]]:
    """Assignment -> graded cell (grade_id) -> concept tags; ConceptsError names file, cell and field."""
    data = parse(CellConcepts, path, read_yaml(path, ConceptsError), ConceptsError)
    for assignment, cells in data.assignments.items():
        for cell, tags in cells.items():
            reason = tag_problem(tags, vocab)
            if reason:
                raise ConceptsError(problem(path, [assignment, cell], "concepts", reason))
    return data.assignments
