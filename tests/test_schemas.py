"""The JSON Schemas of the YAML data files: committed as generated, agreeing with the pydantic models
on every real file and on a planted defect per kind, and named on the first line of every data file.

The schema checks run twice: with JSON Schema 2020-12 (the dialect pydantic writes) and with draft 7
(what the Red Hat YAML extension for VS Code implements), so that what the editor says while an
author types is what the loader says.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from widgets._yaml import load_yaml
from widgets.schemas import DATA_ROOT, KINDS, SCHEMA_DIR, DataKind, data_files, main, render, schema_comment

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[1]
KIND = {kind.name: kind for kind in KINDS}
DATA_FILES = [(kind, path) for kind in KINDS for path in data_files(kind)]
VALIDATORS = (jsonschema.Draft202012Validator, jsonschema.Draft7Validator)
# Keywords added after draft 7: an editor that implements draft 7 would silently skip them.
AFTER_DRAFT_7 = {
    "prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas",
    "dependentRequired", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$anchor", "minContains",
    "maxContains",
}


def file_id(item: tuple[DataKind, Path]) -> str:
    return item[1].relative_to(DATA_ROOT).as_posix()


def schema_of(kind: DataKind) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / kind.schema_file).read_text(encoding="utf-8"))


def schema_errors(kind: DataKind, data: Any) -> dict[str, list[str]]:
    """The errors each JSON Schema dialect finds in ``data`` (empty lists: valid)."""
    schema = schema_of(kind)
    return {
        cls.__name__: [e.message for e in cls(schema).iter_errors(data)] for cls in VALIDATORS
    }


def pydantic_error(kind: DataKind, data: Any) -> str | None:
    """The model's complaint about ``data``, or None if the model accepts it."""
    try:
        TypeAdapter(kind.model).validate_python(data)
    except ValidationError as err:
        return str(err)
    return None


def read(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))


# --- the committed schemas are the generated ones ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_committed_schema_is_what_the_models_generate(kind: DataKind) -> None:
    committed = (SCHEMA_DIR / kind.schema_file).read_text(encoding="utf-8")
    assert committed == render(kind), (
        f"{kind.schema_file} is out of date with the models: run `python -m widgets.schemas`"
    )


def test_check_passes_on_the_repository() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "widgets.schemas", "--check"], cwd=REPO, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr


def test_check_names_each_stale_missing_or_extra_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], schema_dir=tmp_path) == 0
    assert main(["--check"], schema_dir=tmp_path) == 0
    changed = tmp_path / "treatment.schema.json"
    changed.write_text(changed.read_text(encoding="utf-8").replace("read_in", "read_at"), encoding="utf-8")
    (tmp_path / "case.schema.json").unlink()
    (tmp_path / "old.schema.json").write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["--check"], schema_dir=tmp_path) == 1
    err = capsys.readouterr().err
    assert "treatment.schema.json: differs" in err
    assert "case.schema.json: missing" in err
    assert "old.schema.json: no data kind generates it" in err
    assert "course.schema.json" not in err


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_schema_is_valid_and_readable_by_a_draft_7_editor(kind: DataKind) -> None:
    schema = schema_of(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] and schema["description"]

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node).union(*(keys(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(keys(v) for v in node))
        return set()

    assert keys(schema) & AFTER_DRAFT_7 == set()


# --- every data file: the schema and the model agree ---------------------------------------


@pytest.mark.parametrize("item", DATA_FILES, ids=file_id)
def test_every_data_file_validates_against_its_schema(item: tuple[DataKind, Path]) -> None:
    kind, path = item
    data = read(path)
    assert pydantic_error(kind, data) is None
    assert schema_errors(kind, data) == {cls.__name__: [] for cls in VALIDATORS}


def _drop_first_read_in(d: Any) -> None:
    del d["estimates"][0]["read_in"]


def _unknown_status(d: Any) -> None:
    d[0]["status"] = "superseded"


def _urgency_not_in_vocabulary(d: Any) -> None:
    d["red_flags"][0]["urgency"] = "urgent"


def _stance_not_in_vocabulary(d: Any) -> None:
    d["recommendations"][0]["stance"] = "strongly recommend"


def _unknown_question_field(d: Any) -> None:
    d["questions"][0]["answer_key"] = "a"


def _concept_in_an_unknown_group(d: Any) -> None:
    d["concepts"][0]["group"] = "outcomes"


def _unknown_domain(d: Any) -> None:
    d["factors"][0]["domain"] = "spiritual"


def _bad_lesson_file_name(d: Any) -> None:
    d["lessons"][0]["file"] = "lesson-one.ipynb"


def _plain_http_binder(d: Any) -> None:
    d["binderhub"] = "http://mybinder.org"


DEFECTS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "treatment": ("massage.yaml", _drop_first_read_in),
    "sources": ("sources.yaml", _unknown_status),
    "reference": ("reference.yaml", _urgency_not_in_vocabulary),
    "guidelines": ("guidelines.yaml", _stance_not_in_vocabulary),
    "question-bank": ("heat.yaml", _unknown_question_field),
    "ihc-key-concepts": ("ihc-key-concepts.yaml", _concept_in_an_unknown_group),
    "case": ("priya.yaml", _unknown_domain),
    "course": ("course.yaml", _bad_lesson_file_name),
    "deploy": ("deploy.yaml", _plain_http_binder),
}


def test_every_kind_has_a_planted_defect() -> None:
    assert set(DEFECTS) == set(KIND)


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_schema_and_model_both_reject_a_planted_defect(name: str) -> None:
    kind = KIND[name]
    file_name, plant = DEFECTS[name]
    path = next(p for p in data_files(kind) if p.name == file_name)
    data = copy.deepcopy(read(path))
    plant(data)
    assert pydantic_error(kind, data) is not None, f"the model accepts the defect in {file_name}"
    for dialect, errors in schema_errors(kind, data).items():
        assert errors, f"the {dialect} schema check accepts the defect in {file_name}"


# --- the editor finds the schema ----------------------------------------------------------------


def test_every_yaml_data_file_belongs_to_a_kind() -> None:
    known = {path for _, path in DATA_FILES}
    orphans = sorted(p.relative_to(DATA_ROOT).as_posix() for p in DATA_ROOT.rglob("*.yaml") if p not in known)
    assert orphans == [], f"no schema covers {orphans}: add a DataKind in widgets/schemas.py"


@pytest.mark.parametrize("item", DATA_FILES, ids=file_id)
def test_first_line_names_an_existing_schema(item: tuple[DataKind, Path]) -> None:
    kind, path = item
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    expected = schema_comment(kind, path)
    assert first == expected, f"{file_id(item)}: the first line should be {expected!r}"
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (SCHEMA_DIR / kind.schema_file).resolve() and target.exists()
