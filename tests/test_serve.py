"""The course's server (``widgets.serve``): its template comes with the install, it compresses,
caches the versioned front end for a year, and says "busy" beyond its session limit.
"""

from __future__ import annotations

import filecmp
import gzip
import http.client
import re
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
from voila.exporter import VoilaExporter
from voila.paths import collect_template_paths

from benchmarks.patient import BASELINE, write_baseline
from tests.readability import MAX_PATIENT_GRADE, fk_grade
from tests.servers import REPO, voila_server
from widgets.evidence import URGENCY_HEADINGS
from widgets.serve import STATIC_PATH, TemplateCache, busy_page, share_compiled_templates

TEMPLATE = Path("share/jupyter/voila/templates/lbp")
MANAGER = "@jupyter-widgets/jupyterlab-manager"  # the widget manager's front-end extension


def test_installed_template_is_the_checkouts() -> None:
    """Voila reads the template from the install: it must be the one in the checkout (run `make`)."""
    installed, checkout = Path(sys.prefix) / TEMPLATE, REPO / TEMPLATE
    assert installed.is_dir(), f"the course template is not installed in {installed}: run `make`"
    names = sorted(p.name for p in checkout.iterdir())
    _match, mismatch, errors = filecmp.cmpfiles(checkout, installed, names, shallow=False)
    assert mismatch + errors == [], f"the installed template differs from the checkout's: {mismatch + errors}"


def get(port: int, path: str, gzip_ok: bool = True) -> tuple[int, dict[str, str], bytes]:
    return request(port, "GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})


def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return resp.status, headers, body
    finally:
        conn.close()


@pytest.mark.slow
def test_server_compresses_caches_and_says_busy(tmp_path: Path) -> None:
    write_baseline(tmp_path)  # the benchmarks' bare page: a heading, a line of text, a slider
    with voila_server(tmp_path, "--CourseVoila.max_sessions=1") as server:
        status, headers, page = get(server.port, f"/voila/render/{BASELINE}")
        assert status == 200 and headers.get("content-encoding") == "gzip"
        html = page.decode("utf-8")
        assert '<main id="rendered_cells">' in html, "the text is hidden until the front end loads"
        assert 'class="lbp-pending"' in html, "a widget has no placeholder"
        script = re.search(r'<script src="(/voila/static-v[^"]+/voila\.js)"', html)
        assert script and script.group(1).startswith(f"/{STATIC_PATH}/"), "the front end is not versioned"
        status, headers, _js = get(server.port, script.group(1))
        assert status == 200 and "immutable" in headers.get("cache-control", "")
        assert headers.get("content-encoding") == "gzip"
        # A widget extension's file, named by its content hash (the name changes with the content).
        installed = Path(sys.prefix) / "share/jupyter/labextensions" / MANAGER
        entry = next(installed.glob("static/remoteEntry.*.js"))
        status, headers, _js = get(server.port, f"/voila/labextensions/{MANAGER}/static/{entry.name}")
        assert "immutable" in headers.get("cache-control", "")

        # The first visitor's kernel is still running: at one session, the next visitor hears "busy".
        status, headers, page = get(server.port, f"/voila/render/{BASELINE}")
        text = page.decode("utf-8")
        assert status == 503 and headers.get("retry-after") == "60"
        assert "please try again in a minute" in text
        assert URGENCY_HEADINGS["emergency"].replace("&", "&amp;") in text, "the busy page lacks urgent help"
        assert '<html lang="en">' in text and "<main>" in text


@pytest.mark.slow
def test_closing_the_page_ends_its_session(tmp_path: Path) -> None:
    """Voila's close-on-unload request (a form with the `_xsrf` cookie's token) shuts the kernel down."""
    write_baseline(tmp_path)
    with voila_server(tmp_path, "--CourseVoila.max_sessions=1") as server:
        status, headers, page = get(server.port, f"/voila/render/{BASELINE}")
        cookie = re.search(r"_xsrf=([^;]+)", headers.get("set-cookie", ""))
        assert status == 200 and cookie, "the page sets no _xsrf cookie: Voila cannot close its kernel"
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page.decode("utf-8"))
        assert kernel, "no kernel id in the page"
        # What Voila's front end sends on `beforeunload` (a beacon: form data, the cookie's token).
        status, _headers, _body = request(
            server.port, "POST", f"/voila/api/shutdown/{kernel.group(1)}", body=f"_xsrf={cookie.group(1)}",
            headers={"Cookie": f"_xsrf={cookie.group(1)}",
                     "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 204, f"the close-on-unload request was refused ({status})"
        status, _headers, _page = get(server.port, f"/voila/render/{BASELINE}")
        assert status == 200, "the closed page's session still counts against the limit"


def test_busy_page_is_plain_and_points_to_urgent_help() -> None:
    page = busy_page()
    text = re.sub(r"<[^>]+>", " ", page.split("<main>")[1])
    prose = " ".join(re.findall(r"<p>(.*?)</p>", page, flags=re.S))
    assert fk_grade(re.sub(r"<[^>]+>", "", prose)) <= MAX_PATIENT_GRADE
    assert "Education, not medical advice." in text
    assert page.count("<li>") >= 3, "the emergency signs are missing"


def test_pages_share_compiled_templates_and_an_edited_template_is_recompiled(tmp_path: Path) -> None:
    """Each page's new exporter reuses the compiled course template; a changed source is compiled afresh."""
    cache = TemplateCache()
    share_compiled_templates(cache)
    share_compiled_templates(cache)  # calling again does not wrap twice

    def environment(*extra: Path) -> jinja2.Environment:
        """A page's environment, as Voila builds it for each request."""
        paths = [*map(str, extra), *collect_template_paths(["voila", "nbconvert"], "lbp")]
        env: jinja2.Environment = VoilaExporter(template_paths=paths, template_name="lbp").environment
        return env

    first = environment()
    assert first.bytecode_cache is cache
    first.get_template("index.html.j2")
    assert len(cache.compiled) == 1, "the course template was not kept"
    second = environment()
    assert second is not first
    compiled: list[str | None] = []
    real_compile = second.compile

    def counting_compile(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(name)
        return real_compile(source, name, *args, **kwargs)

    second.compile = counting_compile  # type: ignore[method-assign]
    second.get_template("index.html.j2")
    assert compiled == [], f"compiled again for the next page: {compiled}"

    # An edited template is compiled afresh, never served stale. (Rendering is not used here:
    # these environments render asynchronously, and a test may run inside another event loop.)
    def compiles(probe: str) -> list[str | None]:
        (tmp_path / "probe.j2").write_text(probe)
        env = environment(tmp_path)
        real, names = env.compile, []

        def counting(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
            names.append(name)
            return real(source, name, *args, **kwargs)

        env.compile = counting  # type: ignore[method-assign]
        env.get_template("probe.j2")
        return names

    assert compiles("one") == ["probe.j2"]
    assert compiles("one") == [], "an unchanged template was compiled again"
    assert compiles("two") == ["probe.j2"], "an edited template was served from the cache"
