"""A malformed evidence file fails with an error naming the file, the entry and the field.

Each test copies the real data directory, plants exactly one defect and loads the copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from widgets.evidence import DATA_DIR, EvidenceError, load_evidence

MASSAGE = "massage.yaml"
ENTRY = "massage-chronic-pain-inactive"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "evidence"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _edit_treatment(data_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = data_dir / "treatments" / MASSAGE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _estimate(data: dict[str, Any], estimate_id: str = ENTRY) -> dict[str, Any]:
    return next(e for e in data["estimates"] if e["id"] == estimate_id)


def _load_error(data_dir: Path) -> str:
    with pytest.raises(EvidenceError) as caught:
        load_evidence(data_dir)
    return str(caught.value)


def test_the_untouched_copy_loads(data_dir: Path) -> None:
    assert "massage" in load_evidence(data_dir).treatments


def test_missing_field(data_dir: Path) -> None:
    _edit_treatment(data_dir, lambda d: _estimate(d).pop("ci_high"))
    message = _load_error(data_dir)
    assert MASSAGE in message and f"entry '{ENTRY}'" in message and "ci_high" in message
    assert "required" in message.lower()


def test_estimate_that_is_not_a_number(data_dir: Path) -> None:
    _edit_treatment(data_dir, lambda d: _estimate(d).update(estimate="large"))
    message = _load_error(data_dir)
    assert MASSAGE in message and f"entry '{ENTRY}'" in message and "estimate" in message
    assert "number" in message


def test_unknown_stance(data_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["stances"][0]["stance"] = "probably fine"

    _edit_treatment(data_dir, change)
    message = _load_error(data_dir)
    assert MASSAGE in message and "entry 'NICE 2016'" in message and "stances.0.stance" in message


def test_unknown_source_id(data_dir: Path) -> None:
    _edit_treatment(data_dir, lambda d: _estimate(d).update(source="nobody2099"))
    message = _load_error(data_dir)
    assert MASSAGE in message and f"entry '{ENTRY}'" in message and "field 'source'" in message
    assert "nobody2099" in message


def test_ci_that_does_not_contain_the_estimate(data_dir: Path) -> None:
    _edit_treatment(data_dir, lambda d: _estimate(d).update(ci_low=-0.5, ci_high=-0.1))
    message = _load_error(data_dir)
    assert MASSAGE in message and f"entry '{ENTRY}'" in message
    assert "ci_low" in message and "does not contain" in message


def test_estimate_off_its_scale(data_dir: Path) -> None:
    _edit_treatment(data_dir, lambda d: _estimate(d).update(estimate=-7, ci_low=-8, ci_high=-6))
    message = _load_error(data_dir)
    assert MASSAGE in message and f"entry '{ENTRY}'" in message and "field 'estimate'" in message
    assert "outside the scale smd" in message


def test_invalid_yaml(data_dir: Path) -> None:
    path = data_dir / "treatments" / MASSAGE
    path.write_text(path.read_text(encoding="utf-8") + "\nstances: [unclosed\n", encoding="utf-8")
    message = _load_error(data_dir)
    assert MASSAGE in message and "not valid YAML" in message and "line" in message


def test_duplicate_source_id(data_dir: Path) -> None:
    path = data_dir / "sources.yaml"
    sources = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources.append(dict(sources[0]))
    path.write_text(yaml.safe_dump(sources, sort_keys=False, allow_unicode=True), encoding="utf-8")
    message = _load_error(data_dir)
    first = sources[0]["id"]
    assert "sources.yaml" in message and f"entry '{first}'" in message and "field 'id'" in message
    assert "listed twice" in message


def test_treatment_id_that_does_not_match_its_file_name(data_dir: Path) -> None:
    treatments = data_dir / "treatments"
    shutil.copy(treatments / MASSAGE, treatments / "massage-copy.yaml")
    message = _load_error(data_dir)
    assert "massage-copy.yaml" in message and "entry 'massage'" in message and "field 'id'" in message


def test_every_data_file_reports_problems_in_the_one_format(tmp_path: Path) -> None:
    """Evidence, question banks, cases and the manifest share one error type and one format."""
    from widgets._yaml import DataFileError, parse, read_yaml
    from widgets.course import Course
    from widgets.questions import Bank, QuestionBankError

    bank = tmp_path / "b.yaml"
    bank.write_text("id: b\ntitle: T\nquestions:\n  - {id: q1, kind: single, prompt: P,\n"
                    "     options: [{id: a, text: A, correct: true}, {id: b, text: 7}]}\n")
    with pytest.raises(QuestionBankError) as caught:
        parse(Bank, bank, read_yaml(bank, QuestionBankError), QuestionBankError)
    assert str(caught.value).startswith("b.yaml: entry 'q1' > 'b': field 'questions.0.options.1.text':")
    assert issubclass(QuestionBankError, DataFileError) and issubclass(EvidenceError, DataFileError)
    manifest = tmp_path / "course.yaml"
    manifest.write_text("title: T\nlessons:\n  - {file: not-a-lesson.txt, title: X, summary: Y}\n")
    with pytest.raises(DataFileError, match=r"^course.yaml: field 'lessons.0.file':"):
        parse(Course, manifest, read_yaml(manifest))
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n")
    with pytest.raises(DataFileError, match=r"^broken.yaml: not valid YAML"):
        read_yaml(broken)
