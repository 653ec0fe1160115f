"""Concept tags: the Key Concepts vocabulary, the tags on every question and graded cell, and the
per-concept rows of the item report on a small hand-made class."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.item_analysis import CONCEPTS_FILE, concept_rows, report_html, untagged_cells
from tests.grading_support import COURSE
from widgets._yaml import load_yaml
from widgets.concepts import (
    GROUPS,
    MARKERS,
    VOCABULARY_FILE,
    ConceptsError,
    load_cell_concepts,
    load_vocabulary,
    tag_problem,
    vocabulary,
)
from widgets.questions import QUESTIONS_DIR, QuestionBankError, known_banks, load_bank

CELL_CONCEPTS = COURSE / CONCEPTS_FILE


# --- the vocabulary ------------------------------------------------------------------------------


def test_vocabulary_has_unique_codes_known_groups_and_says_what_it_lacks() -> None:
    vocab = load_vocabulary()
    codes = [c.code for c in vocab.concepts]
    assert len(codes) == len(set(codes))
    assert not set(codes) & set(MARKERS)
    assert {c.group for c in vocab.concepts} <= set(GROUPS)
    assert sorted(g.id for g in vocab.groups) == sorted(GROUPS)
    subgroups = {s.code: s.group for s in vocab.subgroups}
    assert all(subgroups[c.subgroup] == c.group for c in vocab.concepts)
    assert vocab.source.url.startswith("https://") and vocab.source.read_in
    # Only concepts 1 to 26 of the 2019 list were read: the file says so, and guesses none.
    assert codes == [str(n) for n in range(1, 27)]
    assert vocab.source.complete is False and "27 to 49" in vocab.source.missing
    header = VOCABULARY_FILE.read_text(encoding="utf-8").split("\nsource:", 1)[0]
    assert "INCOMPLETE" in header and "10.12688/f1000research.21292.1" in header


def _vocab_data() -> dict[str, Any]:
    return load_yaml(VOCABULARY_FILE.read_text(encoding="utf-8"))


def _repeat_a_code(d: dict[str, Any]) -> None:
    d["concepts"][1]["code"] = d["concepts"][0]["code"]


def _unknown_group(d: dict[str, Any]) -> None:
    d["concepts"][0]["group"] = "outcomes"


def _group_differs_from_subgroup(d: dict[str, Any]) -> None:
    d["concepts"][0]["group"] = "comparisons"


def _unknown_subgroup(d: dict[str, Any]) -> None:
    d["concepts"][0]["subgroup"] = "1.9"


def _subgroup_numbered_in_another_group(d: dict[str, Any]) -> None:
    d["subgroups"][0]["group"] = "choices"


def _incomplete_but_silent(d: dict[str, Any]) -> None:
    d["source"]["missing"] = ""


def _a_fourth_group(d: dict[str, Any]) -> None:
    d["groups"].append({"id": "outcomes", "label": "x"})


@pytest.mark.parametrize(("plant", "words"), [
    (_repeat_a_code, "concept codes repeat"),
    (_unknown_group, "concepts.0.group"),
    (_group_differs_from_subgroup, "differs from its subgroup"),
    (_unknown_subgroup, "unknown subgroup '1.9'"),
    (_subgroup_numbered_in_another_group, "numbered in 'claims'"),
    (_incomplete_but_silent, "must say in 'missing'"),
    (_a_fourth_group, "groups.3.id"),
])
def test_a_broken_vocabulary_is_rejected_naming_the_file(tmp_path: Path, plant: Any, words: str) -> None:
    data = copy.deepcopy(_vocab_data())
    plant(data)
    path = tmp_path / "ihc-key-concepts.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConceptsError) as err:
        load_vocabulary(path)
    assert str(err.value).startswith("ihc-key-concepts.yaml: ") and words in str(err.value)


# --- tags on every question ----------------------------------------------------------------------


@pytest.mark.parametrize("bank_id", known_banks())
def test_every_question_of_every_bank_has_valid_concepts(bank_id: str) -> None:
    raw = load_yaml((QUESTIONS_DIR / f"{bank_id}.yaml").read_text(encoding="utf-8"))
    assert all("concepts" in q for q in raw["questions"]), "every question is tagged in its file"
    for question in load_bank(bank_id).questions:
        assert question.concepts and tag_problem(question.concepts) is None, question.id


def _bank(tmp_path: Path, concepts: Any) -> Path:
    question = {"id": "q1", "kind": "single", "prompt": "P?",
                "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}
    if concepts is not None:
        question["concepts"] = concepts
    path = tmp_path / "tagged.yaml"
    path.write_text(yaml.safe_dump({"id": "tagged", "title": "T", "questions": [question]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("concepts", "words"), [
    (["99"], "unknown concept code(s) '99'"),
    (["1.1a"], "unknown concept code(s) '1.1a'"),
    ([], "no concept"),
    (None, "Field required"),
    (["content", "16"], "the marker 'content' stands alone"),
    (["16", "16"], "a concept repeats"),
])
def test_a_bad_tag_names_the_file_the_question_and_the_field(
    tmp_path: Path, concepts: Any, words: str
) -> None:
    with pytest.raises(QuestionBankError) as err:
        load_bank(_bank(tmp_path, concepts))
    message = str(err.value)
    assert message.startswith("tagged.yaml: entry 'q1': field 'questions.0.concepts': "), message
    assert words in message


def test_good_tags_load(tmp_path: Path) -> None:
    assert load_bank(_bank(tmp_path, ["16", "4"])).questions[0].concepts == ["16", "4"]
    assert load_bank(_bank(tmp_path, ["uncoded"])).questions[0].concepts == ["uncoded"]


# --- tags on every graded cell of the assessments ------------------------------------------------


def _graded_cells() -> dict[str, set[str]]:
    """Assignment -> grade_id of every cell nbgrader scores (test cells and hand-graded tasks)."""
    cells: dict[str, set[str]] = {}
    for path in sorted((COURSE / "source").glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                cells.setdefault(path.parent.name, set()).add(meta["grade_id"])
    return cells


def test_every_graded_cell_is_tagged_and_nothing_else() -> None:
    tags = load_cell_concepts(CELL_CONCEPTS)
    graded = _graded_cells()
    assert graded and sum(len(c) for c in graded.values()) >= 17
    assert {a: set(c) for a, c in tags.items()} == graded


def test_a_quiz_cell_carries_its_bank_questions_tags() -> None:
    from assessments.item_analysis import answer_sources

    tags = load_cell_concepts(CELL_CONCEPTS)
    checked = 0
    for assignment in tags:
        for cell, (kind, bank_id, question_id) in answer_sources(COURSE, assignment).items():
            if kind == "quiz":
                assert tags[assignment][cell] == load_bank(bank_id).question(question_id).concepts, cell
                checked += 1
    assert checked == 4  # and quiz-how-sure, marked by certainty, scores two questions:
    how_sure = {"massage-studies", "invented-nnt"}
    bank = load_bank("assessment-treatment-choices")
    questions_tags = {c for q in how_sure for c in bank.question(q).concepts}
    assert set(tags["treatment-choices"]["quiz-how-sure"]) <= questions_tags


def test_an_unknown_code_in_the_cell_tags_names_file_cell_and_field(tmp_path: Path) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text("assignments:\n  treatment-choices:\n    quiz-nice-massage: ['99']\n", encoding="utf-8")
    with pytest.raises(ConceptsError) as err:
        load_cell_concepts(path)
    assert str(err.value).startswith(
        "concepts.yaml: entry 'treatment-choices' > 'quiz-nice-massage': field 'concepts': unknown concept")


# --- per-concept rows on a hand-made class -------------------------------------------------------


def _row(assignment: str, cell: str, student: str, score: float, max_score: float) -> dict[str, object]:
    return {"assignment": assignment, "notebook": "nb", "question": cell, "student": student,
            "score": score, "max_score": max_score, "auto_score": score, "manual_score": None,
            "needs_manual_grade": False}


# Two assignments. A: cells a1 (2 points, tags 16 and 4) and a2 (1 point, tag 16); B: b1 (4 points,
# tag content), b2 (3 points, not tagged). Students s1, s2 submitted A; s1, s3 submitted B.
ROWS = [
    _row("A", "a1", "s1", 2, 2), _row("A", "a1", "s2", 1, 2),
    _row("A", "a2", "s1", 0, 1), _row("A", "a2", "s2", 1, 1),
    _row("B", "b1", "s1", 1, 4), _row("B", "b1", "s3", None, 4),  # s3's b1 not graded: counts as 0
    _row("B", "b2", "s1", 3, 3), _row("B", "b2", "s3", 0, 3),
]
TAGS = {"A": {"a1": ["16", "4"], "a2": ["16"]}, "B": {"b1": ["content"], "z9": ["uncoded"]}}


def test_per_concept_rows_are_exact_on_a_hand_made_class() -> None:
    rows = {r["concept"]: r for r in concept_rows(ROWS, TAGS)}
    # Vocabulary order: concepts by code, then the markers.
    assert list(rows) == ["4", "16", "content", "uncoded"]
    # 16: a1 fractions 2/2, 1/2 and a2 fractions 0/1, 1/1: (1 + .5 + 0 + 1) / 4 = .625.
    assert rows["16"] == {"concept": "16", "group": "claims", "label": vocabulary().label("16"),
                          "questions": "A/a1; A/a2", "items": 2, "submissions": 2, "responses": 4,
                          "mean_fraction": 0.625}
    # 4: a1 only: (1 + .5) / 2 = .75.
    assert (rows["4"]["questions"], rows["4"]["items"], rows["4"]["submissions"], rows["4"]["responses"],
            rows["4"]["mean_fraction"]) == ("A/a1", 1, 2, 2, 0.75)
    # content: b1 fractions 1/4 and 0/4: .125; submissions are B's s1 and s3.
    assert (rows["content"]["group"], rows["content"]["submissions"], rows["content"]["responses"],
            rows["content"]["mean_fraction"]) == ("", 2, 2, 0.125)
    # uncoded: a tagged cell with no scores in the gradebook: listed, no mean.
    assert (rows["uncoded"]["questions"], rows["uncoded"]["responses"], rows["uncoded"]["mean_fraction"]) == (
        "B/z9", 0, "")
    assert untagged_cells(ROWS, TAGS) == ["B/b2"]


def test_report_has_a_per_concept_section() -> None:
    from assessments.item_analysis import OptionCounts

    page = report_html([], OptionCounts([], []), concept_rows(ROWS, TAGS), untagged_cells(ROWS, TAGS))
    assert "Results per concept" in page and "Concept 16" in page and "62%" in page
    assert "B/b2" in page and "concept list is incomplete" in page and "no scores yet" in page
    without = report_html([], OptionCounts([], []))
    assert f"No {CONCEPTS_FILE} in the course folder" in without
