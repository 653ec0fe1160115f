"""The course manifest: lessons in order, and the navigation built from it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from widgets._yaml import DataFileError, parse, read_yaml

MANIFEST = Path(__file__).parent / "data" / "course.yaml"


class Lesson(BaseModel):
    """One page of the course: its notebook file in lessons/, its title and a one-line summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(pattern=r"^\d\d[a-z]?-[a-z0-9-]+\.ipynb$")

    @property
    def number(self) -> str:
        """'04' for a lesson or section page, '04a' for a treatment page inside section 04."""
        return self.file.split("-", 1)[0]

    @property
    def is_subpage(self) -> bool:
        """True for a treatment page inside a section ('04a'), False for a lesson or section page."""
        return len(self.number) > 2

    @property
    def treatment(self) -> str | None:
        """A treatment page's treatment id (its file name without number and suffix), else None."""
        return self.file.split("-", 1)[1].removesuffix(".ipynb") if self.is_subpage else None
    title: str
    summary: str
    bank: str | None = Field(
        None, description="the id of the question bank the lesson's quiz shows; a treatment page's bank "
                          "is its treatment's id, so it leaves this out")

    @property
    def quiz_bank(self) -> str:
        """The id of the lesson's question bank (a treatment page's: its treatment id)."""
        if bank := self.bank or self.treatment:
            return bank
        raise ValueError(f"lesson {self.file} names no question bank (bank: in widgets/data/course.yaml)")


class Course(BaseModel):
    """The course's title and its lessons in reading order (widgets/data/course.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    lessons: list[Lesson]

    def index(self, file: str) -> int:
        """The position of lesson ``file`` in reading order; ValueError if the manifest lacks it."""
        return [lesson.file for lesson in self.lessons].index(file)

    def lesson(self, name: str) -> Lesson:
        """A lesson by its number ('02', '04a'), its file, or its file name without '.ipynb'."""
        for lesson in self.lessons:
            if name in (lesson.number, lesson.file, lesson.file.removesuffix(".ipynb")):
                return lesson
        known = ", ".join(lesson.number for lesson in self.lessons)
        raise ValueError(f"no lesson {name!r} in the course; lessons: {known}")

    def previous(self, file: str) -> Lesson | None:
        """The lesson before ``file``, or None for the first."""
        i = self.index(file)
        return self.lessons[i - 1] if i > 0 else None

    def next(self, file: str) -> Lesson | None:
        """The lesson after ``file``, or None for the last."""
        i = self.index(file)
        return self.lessons[i + 1] if i + 1 < len(self.lessons) else None

    def nav_markdown(self, file: str) -> str:
        """The navigation line of a lesson: previous, course home, next (relative links)."""
        home = self.lessons[0]
        parts = []
        if (prev := self.previous(file)) is not None:
            parts.append(f"[← Previous: {prev.title}]({prev.file})")
        if file != home.file:
            parts.append(f"[Course home]({home.file})")
        if (nxt := self.next(file)) is not None:
            parts.append(f"[Next: {nxt.title} →]({nxt.file})")
        return " | ".join(parts)

    def readme_table(self) -> str:
        """The lesson table shown in README.md (a test keeps the two in step)."""
        rows = ["| # | Lesson | What it covers |", "|---|---|---|"]
        rows += [f"| {x.number} | [{x.title}](lessons/{x.file}) | {x.summary} |" for x in self.lessons]
        return "\n".join(rows)


class ManifestError(DataFileError):
    """The course manifest (widgets/data/course.yaml) is malformed."""


@cache
def course() -> Course:
    """The course manifest, loaded once per process; errors name file, entry and field."""
    return parse(Course, MANIFEST, read_yaml(MANIFEST, ManifestError), ManifestError)


if __name__ == "__main__":
    print(course().readme_table())
