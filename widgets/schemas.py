"""JSON Schemas for the course's YAML data files, generated from the pydantic models.

Each kind of data file (a treatment, the list of sources, a question bank, a case ...) has one
schema in ``widgets/data/schemas/``. The first line of every data file names its schema::

    # yaml-language-server: $schema=../../schemas/treatment.schema.json

so that an editor with a YAML language server (the Red Hat YAML extension for VS Code, for one)
checks the file while the author types and shows each field's description on hover.

A schema checks the shape of a file: field names, types, vocabularies, required fields. The
loaders check more (an id that must exist elsewhere, the headline rule, a CI that contains its
estimate), so a file the editor accepts can still fail to load, with a message naming the field.

``python -m widgets.schemas`` writes the schemas; ``python -m widgets.schemas --check`` writes
nothing and exits non-zero, naming each schema file that differs from what the models generate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from widgets._cases import Case
from widgets.concepts import Vocabulary
from widgets.course import Course
from widgets.deploy import Deploy
from widgets.evidence import GuidelineList, Reference, Source, Treatment
from widgets.questions import Bank

DATA_ROOT = Path(__file__).parent / "data"
SCHEMA_DIR = DATA_ROOT / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
GENERATED = "Generated from the pydantic models by `python -m widgets.schemas`; do not edit by hand."
CHECKS_MORE = (
    " The editor checks the shape of the file; loading it checks more (ids that must exist "
    "elsewhere, and the rules in the error messages). How to write one: AUTHORING.md."
)


@dataclass(frozen=True)
class DataKind:
    """One kind of YAML data file: its model, where its files live, and its schema's wording."""

    name: str  # the schema is <name>.schema.json
    model: Any  # a pydantic model, or a type such as list[Source] (read with a TypeAdapter)
    files: str  # glob pattern under widgets/data
    title: str
    description: str

    @property
    def schema_file(self) -> str:
        """The schema's file name in ``widgets/data/schemas/``."""
        return f"{self.name}.schema.json"


KINDS: tuple[DataKind, ...] = (
    DataKind(
        "treatment", Treatment, "evidence/treatments/*.yaml", "Treatment",
        "One treatment of the evidence base (evidence/treatments/<id>.yaml, id = file name): what it "
        "is, the patient summary, effect estimates with their 95% CI and where each number was read, "
        "guideline stances, harms, and what was looked for and not found.",
    ),
    DataKind(
        "sources", list[Source], "evidence/sources.yaml", "Sources",
        "Every publication the course cites, each once (evidence/sources.yaml); other files cite a "
        "source by its id. Guidelines, leaflets and frameworks say whether they are current.",
    ),
    DataKind(
        "reference", Reference, "evidence/reference.yaml", "Reference points",
        "Shared reference points (evidence/reference.yaml): scales, minimal clinically important "
        "differences, natural history, sourced facts, red flags and the STarT Back scoring rules.",
    ),
    DataKind(
        "guidelines", GuidelineList, "evidence/guidelines.yaml", "Guideline recommendations",
        "Recommendations of the major guidelines beyond the treatment pages, and where guidelines "
        "disagree (evidence/guidelines.yaml).",
    ),
    DataKind(
        "question-bank", Bank, "questions/*.yaml", "Question bank",
        "One quiz (questions/<id>.yaml, id = file name). Option and question ids are stored with "
        "graded answers, so never rename them once released. Numbers come from the evidence with "
        "answer_from or {ev:<treatment>/<estimate>/<field>} placeholders.",
    ),
    DataKind(
        "ihc-key-concepts", Vocabulary, "ihc-key-concepts.yaml", "Key Concepts vocabulary",
        "The Informed Health Choices Key Concepts that questions are tagged with (ihc-key-concepts.yaml): "
        "the source read, each concept's code as the source numbers it, its group (claims, comparisons, "
        "choices) and a label in the course's own words, and the two markers for questions that test no "
        "listed concept.",
    ),
    DataKind(
        "case", Case, "cases/*.yaml", "Patient case",
        "One fictional patient (cases/<id>.yaml, id = file name): the story, the factors to sort "
        "into biological, psychological and social, and the STarT Back answers.",
    ),
    DataKind(
        "course", Course, "course.yaml", "Course manifest",
        "The ordered list of lessons (course.yaml); navigation links and the README table come from it.",
    ),
    DataKind(
        "deploy", Deploy, "deploy.yaml", "Deployment settings",
        "Where the course is published (deploy.yaml): repository, Binder and JupyterHub.",
    ),
)


def generate(kind: DataKind) -> dict[str, Any]:
    """The JSON Schema of one kind of file, with an author-facing title and description."""
    schema = TypeAdapter(kind.model).json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": DIALECT,
        "$comment": GENERATED,
        "title": kind.title,
        "description": kind.description + CHECKS_MORE,
        **schema,
    }


def render(kind: DataKind) -> str:
    """The schema file's text, exactly as ``python -m widgets.schemas`` writes it."""
    return json.dumps(generate(kind), indent=2, ensure_ascii=False) + "\n"


def data_files(kind: DataKind) -> list[Path]:
    """The YAML data files of one kind."""
    return sorted(DATA_ROOT.glob(kind.files))


def schema_comment(kind: DataKind, data_file: Path) -> str:
    """The first line a data file carries so that an editor finds its schema."""
    target = os.path.relpath(SCHEMA_DIR / kind.schema_file, data_file.parent)
    return f"# yaml-language-server: $schema={Path(target).as_posix()}"


def differences(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Each schema file in ``schema_dir`` that is missing, differs, or is no longer generated."""
    problems = []
    for kind in KINDS:
        path = schema_dir / kind.schema_file
        if not path.exists():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != render(kind):
            problems.append(f"{path}: differs from what the models generate")
    expected = {kind.schema_file for kind in KINDS}
    for path in sorted(schema_dir.glob("*.schema.json")):
        if path.name not in expected:
            problems.append(f"{path}: no data kind generates it (delete it)")
    return problems


def write(schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema into ``schema_dir``; return the files written."""
    schema_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = schema_dir / kind.schema_file
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None, schema_dir: Path = SCHEMA_DIR) -> int:
    """The command line: write the schemas, or with ``--check`` exit 1 if any is out of date."""
    parser = argparse.ArgumentParser(
        prog="python -m widgets.schemas", description="Write the JSON Schemas of the YAML data files."
    )
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; exit 1 naming each schema file that differs from what would be written",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = differences(schema_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("Run `python -m widgets.schemas` to regenerate them.", file=sys.stderr)
        return 1 if problems else 0
    for path in write(schema_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
