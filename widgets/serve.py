"""The course's patient server: Voila, with what a public site needs (``python -m widgets.serve``).

It is Voila itself (the same handlers, template and ``voila.json``), plus what plain ``voila``
cannot be configured to do:

- **Compressed responses.** Tornado adds gzip only when ``compress_response`` is passed to the
  application's constructor; Voila's ``tornado_settings`` are applied after it, too late.
- **Versioned, long-cached front end.** Voila's own scripts live under ``/voila/static/`` with names
  that do not change between releases (``9151.voila.js``), so they are served without a cache
  lifetime and a repeat visit asks again for every file. Here they are also served under a path
  that carries Voila's version (``/voila/static-v0.5.13/``), with a one-year immutable lifetime,
  and the page loads them from there (webpack takes its chunk path from ``voila.js``'s own URL).
  Widget extensions' files are already named by content hash; ``voila.json`` marks them immutable.
- **A limit on sessions.** Beyond ``--CourseVoila.max_sessions`` running sessions a new visitor
  gets a short "busy, please try again in a minute" page (HTTP 503 with ``Retry-After``), which
  still says where to get urgent help, instead of a page that hangs while the machine runs out
  of memory. A session is a running kernel that a page uses.
- **A kernel ready before the visitor comes** (:mod:`widgets.warm_kernels`): the page does not wait
  for a Python process to start before its text is sent.
- **Templates compiled once.** Voila builds a new nbconvert exporter, and so a new Jinja
  environment, for every page request; Jinja then parses and compiles the course's template and
  the ones it extends again each time (about a third of the server's work before the first
  heading is sent). Here every such environment shares one in-memory bytecode cache, which
  checks each template's source, so an edited template is compiled afresh.
- **Sessions that end when the page closes.** The page sets the ``_xsrf`` cookie that Voila's own
  close-on-unload request needs; plain Voila 0.5 never sets it, so that request is refused and
  every closed page keeps its kernel until the idle cull.
"""

from __future__ import annotations

import html
from typing import Any

import jinja2
import tornado.ioloop
from jupyter_server.utils import url_path_join
from traitlets import Integer
from voila._version import __version__ as VOILA_VERSION
from voila.app import Voila
from voila.exporter import VoilaExporter
from voila.static_file_handler import MultiStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from widgets.evidence import URGENCY_HEADINGS, evidence
from widgets.warm_kernels import WarmKernelManager

BUSY_RETRY_SECONDS = 60
YEAR_SECONDS = 365 * 24 * 3600
STATIC_PATH = f"voila/static-v{VOILA_VERSION}"


def busy_page() -> str:
    """The page a visitor gets when the server is full: plain words, and where to get urgent help.

    The browser's own styles only: it must show even when nothing else can be served.
    """
    signs = "".join(f"<li>{html.escape(flag.sign)}</li>" for flag in evidence().reference.red_flags
                    if flag.urgency == "emergency")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Busy: please try again in a minute</title>
</head>
<body><main>
<h1>Busy: please try again in a minute</h1>
<p>Many people are using this course right now. Please wait a minute, then reload this page.</p>
<p><strong>Education, not medical advice.</strong> This course explains what research says about
treatments for low back pain. It cannot tell you what is wrong with your back.</p>
<h2>{html.escape(URGENCY_HEADINGS["emergency"])}</h2>
<p>Do not wait for this page if you have back pain and any of these signs:</p>
<ul>{signs}</ul>
</main></body></html>"""


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, shared by every page's Jinja environment.

    Jinja checks each entry against its template's source. The key also holds the options that
    change the compiled code (async rendering, extensions), in case environments differ in them.
    """

    def __init__(self) -> None:
        self.compiled: dict[tuple[Any, ...], tuple[str, Any]] = {}

    @staticmethod
    def _key(bucket: jinja2.bccache.Bucket) -> tuple[Any, ...]:
        env = bucket.environment
        return bucket.key, env.is_async, tuple(sorted(env.extensions))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give the bucket its compiled code if its source has not changed."""
        checksum, code = self.compiled.get(self._key(bucket), ("", None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a newly compiled template."""
        self.compiled[self._key(bucket)] = (bucket.checksum, bucket.code)


def share_compiled_templates(cache: jinja2.BytecodeCache) -> None:
    """Make every Voila exporter's Jinja environment use ``cache`` (nbconvert has no setting for it)."""
    create = VoilaExporter._create_environment
    if getattr(create, "lbp_cache", None) is cache:
        return

    def create_with_cache(self: VoilaExporter) -> jinja2.Environment:
        environment: jinja2.Environment = create(self)
        environment.bytecode_cache = cache
        return environment

    create_with_cache.lbp_cache = cache  # type: ignore[attr-defined]
    VoilaExporter._create_environment = create_with_cache


class ImmutableStaticHandler(MultiStaticFileHandler):
    """Voila's front-end files under a path that names Voila's version: cached for a year."""

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        """A year, whatever the query string (the version is in the path)."""
        return YEAR_SECONDS

    def set_extra_headers(self, path: str) -> None:
        """Tell browsers never to ask again."""
        self.set_header("Cache-Control", f"public, max-age={YEAR_SECONDS}, immutable")


class SessionLimitedHandler(TornadoVoilaHandler):
    """Voila's page handler, which answers "busy" when the server already runs its limit of sessions."""

    async def prepare(self) -> None:
        """Answer "busy" (503, Retry-After) when the sessions are at their limit."""
        limit: int = self.settings["lbp_max_sessions"]
        manager = self.kernel_manager
        warm = isinstance(manager, WarmKernelManager)
        if (manager.in_use() if warm else len(manager.list_kernel_ids())) >= limit:
            self.set_status(503)
            self.set_header("Retry-After", str(BUSY_RETRY_SECONDS))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.settings["lbp_busy_page"])
            return
        await super().prepare()
        # Reading the token sets the `_xsrf` cookie. Voila's front end sends it with the beacon that
        # shuts the kernel down when the page closes; without it that request is refused (403) and
        # the kernel holds its memory until the idle cull.
        _ = self.xsrf_token


def versioned_static(page_config: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Voila's page-config hook: load the front end from the versioned path."""
    page_config["fullStaticUrl"] = url_path_join(page_config.get("baseUrl", "/"), STATIC_PATH)
    return page_config


class CourseVoila(Voila):
    """Voila with compression, a versioned long-cached front end and a session limit."""

    max_sessions = Integer(
        100, config=True,
        help="running sessions (kernels in use) beyond which a new visitor gets the 'busy' page",
    )

    def init_settings(self) -> dict[str, Any]:
        """Voila's settings, with compression, the versioned front end and the busy page."""
        # Before Voila's own settings, which hand the hook to the kernel manager and create it.
        self.voila_configuration.page_config_hook = versioned_static
        share_compiled_templates(TemplateCache())
        if "multi_kernel_manager_class" not in self.config.get("VoilaConfiguration", {}):
            self.voila_configuration.multi_kernel_manager_class = WarmKernelManager
        settings: dict[str, Any] = super().init_settings()
        if isinstance(self.kernel_manager, WarmKernelManager):
            # Lessons sit in the served folder itself: their kernels start there ("" as API path).
            tornado.ioloop.IOLoop.current().add_callback(self.kernel_manager.fill, ("python3", ""))
        settings.update(compress_response=True, lbp_max_sessions=self.max_sessions,
                        lbp_busy_page=busy_page())
        return settings

    def init_handlers(self) -> list[Any]:
        """Voila's handlers, with the session-limited page handler and the versioned front end."""
        handlers: list[Any] = [
            (route[0], SessionLimitedHandler, *route[2:]) if route[1] is TornadoVoilaHandler else route
            for route in super().init_handlers()
        ]
        static = url_path_join(self.server_url, STATIC_PATH, "(.*)")
        handlers.append((static, ImmutableStaticHandler, {"paths": self.static_paths}))
        return handlers


main = CourseVoila.launch_instance

if __name__ == "__main__":
    main()

