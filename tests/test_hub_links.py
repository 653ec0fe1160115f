"""The README's Binder and JupyterHub links: generated from widgets/data/deploy.yaml, well formed,
and pointing at files that exist in the repository."""

from __future__ import annotations

import textwrap
from urllib.parse import parse_qs, urlsplit

import pytest
from traitlets.config.loader import PyFileConfigLoader

from tests.servers import REPO
from widgets.course import course
from widgets.deploy import deploy, readme_section

HOME = f"lessons/{course().lessons[0].file}"


def query(url: str) -> dict[str, str]:
    values = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values()), f"repeated query parameter in {url}"
    return {key: v[0] for key, v in values.items()}


def test_readme_holds_the_generated_links():
    assert readme_section() in (REPO / "README.md").read_text(encoding="utf-8"), (
        "README.md is out of date: run python -m widgets.deploy --write-readme"
    )


@pytest.mark.parametrize(
    ("make_url", "prefix"), [("binder_lab_url", "lab/tree/"), ("binder_voila_url", "voila/render/")]
)
def test_binder_links_open_existing_files(make_url, prefix):
    d = deploy()
    url = getattr(d, make_url)(HOME)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", urlsplit(d.binderhub).netloc)
    assert parts.path == f"/v2/gh/{d.repository}/{d.ref}"
    urlpath = query(url)["urlpath"]
    assert urlpath.startswith(prefix), urlpath
    assert (REPO / urlpath.removeprefix(prefix)).is_file(), f"{url} opens a file that does not exist"
    assert url in readme_section()


def test_nbgitpuller_link_pulls_the_repository_and_opens_the_course_home():
    d = deploy()
    url = d.nbgitpuller_url(HOME)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", urlsplit(d.hub).netloc)
    assert parts.path == "/hub/user-redirect/git-pull"
    params = query(url)
    assert params["repo"] == f"https://github.com/{d.repository}"
    assert params["branch"] == d.branch
    folder, _, path = params["urlpath"].removeprefix("lab/tree/").partition("/")
    assert folder == d.repository.split("/")[1], "nbgitpuller clones into a folder named after the repository"
    assert (REPO / path).is_file(), f"{url} opens {path}, which does not exist"


def test_hub_config_matches_the_nbgrader_course():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "assessments")).load_config()
    assert config.CourseDirectory.course_id == deploy().course_id
    section = readme_section()
    assert f'c.CourseDirectory.course_id = "{deploy().course_id}"' in section
    assert f'c.Exchange.root = "{deploy().exchange}"' in section
    snippet = textwrap.dedent(section.split("```python", 1)[1].split("```", 1)[0])
    compile(snippet, "nbgrader_config.py", "exec")


def test_placeholders_are_marked():
    d = deploy()
    section = readme_section()
    if "PLACEHOLDER" in d.repository or d.hub.endswith("example.org"):
        assert "Placeholders" in section
