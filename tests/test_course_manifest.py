"""The course manifest is the one list of lessons; README and lesson files follow it."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from widgets.course import Course, course

REPO = Path(__file__).resolve().parent.parent


def test_manifest_lists_lessons_in_order_starting_with_home():
    files = [lesson.file for lesson in course().lessons]
    assert files[0] == "00-start-here.ipynb"
    assert files == sorted(files)
    assert len(set(files)) == len(files)


def test_every_manifest_lesson_exists():
    missing = [x.file for x in course().lessons if not (REPO / "lessons" / x.file).is_file()]
    assert not missing, f"lessons listed in widgets/data/course.yaml but missing: {missing}"


def test_readme_lesson_table_matches_manifest():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert course().readme_table() in readme, "README lesson table is stale: run python -m widgets.course"


def test_navigation_links_previous_home_next():
    c = course()
    assert c.nav_markdown("00-start-here.ipynb").startswith("[Next: ")
    last = c.lessons[-1].file
    nav = c.nav_markdown(last)
    assert "[Course home](00-start-here.ipynb)" in nav and "Next" not in nav


def test_bad_manifest_names_the_field():
    with pytest.raises(ValidationError, match="file"):
        bad = {"file": "lesson one.ipynb", "title": "t", "summary": "s"}
        Course.model_validate({"title": "x", "lessons": [bad]})
