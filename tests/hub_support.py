"""A real JupyterHub for the class test: Unix users, a local clone of the course, a shared exchange.

The hub runs JupyterHub's dummy authenticator (one password for everyone) and its local-process
spawner, which starts each user's single-user server under that user's own Unix account, in that
user's home. It needs root (to create the accounts and switch to them) and configurable-http-proxy
from npm (``make test`` installs it into ``.venv/hub-proxy``). Everything it creates (accounts,
homes, the exchange, the hub's database) is removed when the ``running_hub`` context ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.servers import BIN, REPO

if TYPE_CHECKING:
    from playwright.sync_api import Page

COURSE_ID = "lbp-evidence"
PASSWORD = "class-test-" + secrets.token_hex(8)
ARTIFACTS = REPO / "test-artifacts"
CHP = REPO / ".venv" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"


def proxy_command() -> str | None:
    """configurable-http-proxy: the copy ``make test`` installs, else one on PATH."""
    if CHP.exists():
        return str(CHP)
    return shutil.which("configurable-http-proxy")


def run_as(user: str, *command: str, env: dict[str, str] | None = None,
           check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``user``'s home as that Unix account (clean environment, the course's PATH)."""
    home = pwd.getpwnam(user).pw_dir
    variables = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                 "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", **(env or {})}
    proc = subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in variables.items()), *command],
        cwd=home, capture_output=True, text=True, timeout=timeout,
    )
    if check and proc.returncode != 0:
        shown = " ".join(command)
        raise AssertionError(f"{user}$ {shown}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _open_path_to(path: Path) -> list[tuple[Path, int]]:
    """Let other accounts read ``path`` and traverse to it; return what to undo.

    ``path`` itself gets o+rx: Python lists a folder on ``sys.path`` before importing from it (the
    editable install puts the checkout there), and a checkout made in a 0700 temporary folder could
    be traversed but not listed, so ``import widgets`` failed for every other account. Each parent
    gets o+x only.
    """
    changed = []
    for parent in [path, *path.parents]:
        mode = stat.S_IMODE(parent.stat().st_mode)
        wanted = mode | stat.S_IXOTH | (stat.S_IROTH if parent == path else 0)
        if wanted != mode:
            changed.append((parent, mode))
            parent.chmod(wanted)
    return changed


@dataclass
class Hub:
    """A running hub: its URL, its users and where their files are."""

    url: str
    base: Path
    exchange: Path
    origin_repo: str
    instructor: str
    students: list[str]
    admin_token: str
    log: Path
    shared_config: Path

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """Call the hub's REST API with the test's admin service token."""
        response = requests.request(method, f"{self.url}/hub/api{path}",
                                    headers={"Authorization": f"token {self.admin_token}"}, timeout=60,
                                    **kwargs)  # type: ignore[arg-type]
        return response

    def start_servers(self, users: list[str], timeout: float = 180) -> None:
        """Start every user's server at once and wait until all are ready."""
        for user in users:
            response = self.api("POST", f"/users/{user}/server")
            assert response.status_code in (201, 202), (
                f"{user}: {response.status_code} {response.text}\n{self.log_tail()}")
        deadline = time.monotonic() + timeout
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            for user in list(waiting):
                model = self.api("GET", f"/users/{user}").json()
                server = model.get("servers", {}).get("", {})
                if server.get("ready"):
                    waiting.discard(user)
            time.sleep(0.5)
        assert not waiting, f"servers not ready after {timeout} s: {sorted(waiting)}\n{self.log_tail()}"

    def restart_server(self, user: str) -> None:
        """Stop a user's server and start it again (as *Hub Control Panel > Stop / Start* does)."""
        response = self.api("DELETE", f"/users/{user}/server")
        assert response.status_code in (202, 204), f"{user}: {response.status_code} {response.text}"
        deadline = time.monotonic() + 60
        while self.api("GET", f"/users/{user}").json().get("servers"):
            assert time.monotonic() < deadline, f"{user}'s server did not stop\n{self.log_tail()}"
            time.sleep(0.3)
        self.start_servers([user])

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def login(self, user: str) -> UserSession:
        """Log in through the hub's login form, as a browser does; the session keeps the cookies."""
        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=30).raise_for_status()
        response = session.post(
            f"{self.url}/hub/login?next=",
            data={"username": user, "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf", "")},
            timeout=60,
        )
        response.raise_for_status()
        assert "jupyterhub-session-id" in session.cookies or "jupyterhub-hub-login" in session.cookies, (
            f"{user} could not log in:\n{response.text[:500]}"
        )
        return UserSession(self, user, session)


@dataclass
class UserSession:
    """One user's browser-like session: the hub's cookies, and the server's once OAuth has run."""

    hub: Hub
    user: str
    http: requests.Session

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.user}"

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.http.get(f"{self.server}{path}", timeout=120, **kwargs)  # type: ignore[arg-type]

    def send(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A POST or PUT as JupyterLab sends it: the server's ``_xsrf`` cookie echoed in a header."""
        cookies = self.http.cookies
        token = cookies.get("_xsrf", path=f"/user/{self.user}/") or cookies.get("_xsrf", "")
        return self.http.request(method, f"{self.server}{path}", headers={"X-XSRFToken": token}, timeout=300,
                                 **kwargs)  # type: ignore[arg-type]

    def follow(self, link: str) -> requests.Response:
        """Open a link as a browser would (redirects through the hub's OAuth to the user's server)."""
        return self.http.get(link, timeout=120)

    def git_pull(self, page: requests.Response) -> list[dict[str, object]]:
        """What nbgitpuller's status page does in the browser: stream its pull API until it ends."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
        params = {"repo": query["repo"], "branch": query.get("branch", ""),
                  "targetpath": query.get("targetpath") or query["repo"].rstrip("/").split("/")[-1]}
        events = []
        api = f"{self.server}/git-pull/api"
        with self.http.get(api, params=params, stream=True, timeout=300) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data: "):
                    event = json.loads(line[len("data: "):])
                    events.append(event)
                    if event.get("phase") in ("finished", "error"):
                        break
        return events

    def contents(self, path: str) -> dict[str, object]:
        response = self.get(f"/api/contents/{path}")
        response.raise_for_status()
        result: dict[str, object] = response.json()
        return result

    def nbgrader(self, action: str, assignment: str) -> dict[str, object]:
        """One action of JupyterLab's Assignments tab: fetch, submit or fetch_feedback."""
        response = self.send("POST", f"/assignments/{action}",
                             data={"course_id": COURSE_ID, "assignment_id": assignment})
        response.raise_for_status()
        result: dict[str, object] = response.json()
        assert result.get("success"), f"{self.user}: {action} {assignment} failed: {result}"
        return result


HUB_CONFIG = """\
# Written by tests/hub_support.py: a hub for the class test only (dummy login, local Unix users).
import sys
sys.path.insert(0, {repo!r})
from hub.roles import role_env

c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {runtime!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {runtime!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {runtime!r} + "/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
c.JupyterHub.load_groups = {{"instructors": {{"users": [{instructor!r}]}}}}
c.JupyterHub.services = [{{"name": "class-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "class-test", "services": ["class-test"],
                            "scopes": ["admin:users", "admin:servers", "list:users", "read:users"]}}]
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# The README's hub setup: every server knows the shared exchange (the course's config reads this).
c.Spawner.environment = {{"NBGRADER_EXCHANGE": {exchange!r}}}
# Every server reads the hub's nbgrader config (the README's /etc/jupyter/nbgrader_config.py).
SHARED_CONFIG = {shared_config!r}


def pre_spawn_hook(spawner):
    role = "instructor" if any(g.name == "instructors" for g in spawner.user.groups) else "student"
    env = role_env(role)
    env["JUPYTER_CONFIG_PATH"] = ":".join(p for p in (env.get("JUPYTER_CONFIG_PATH"), SHARED_CONFIG) if p)
    spawner.environment.update(env)


c.Spawner.pre_spawn_hook = pre_spawn_hook
"""


def readme_nbgrader_config(exchange: Path) -> str:
    """The hub-wide nbgrader config the README tells instructors to install, for this exchange."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(\s*c = get_config\(\)\n.*?)```", readme, re.S)
    assert match, "README.md shows no hub-wide nbgrader config"
    block = textwrap.dedent(match.group(1))
    assert "/srv/nbgrader/exchange" in block, "the README's hub nbgrader config changed: update the test"
    return block.replace("/srv/nbgrader/exchange", str(exchange))


def _free_ports(count: int) -> list[int]:
    """``count`` different free loopback ports (each socket stays open until all are found)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _add_user(name: str, homes: Path) -> None:
    with contextlib.suppress(KeyError):
        pwd.getpwnam(name)
        subprocess.run(["userdel", "-r", name], capture_output=True)
    subprocess.run(["useradd", "--create-home", "--home-dir", str(homes / name), "--shell", "/bin/bash",
                    name], check=True, capture_output=True)
    (homes / name).chmod(0o700)


@contextlib.contextmanager
def running_hub(instructor: str, students: list[str]) -> Iterator[Hub]:
    """Create the accounts, the course's git origin and the exchange; run the hub; clean up after."""
    chp = proxy_command()
    if chp is None:
        raise AssertionError("configurable-http-proxy is missing: run `make test` (it installs it with npm)")
    users = [instructor, *students]
    base = Path(tempfile.mkdtemp(prefix="lbp-hub-"))
    base.chmod(0o755)
    # The accounts run the course's virtual environment: they must reach it and its interpreter
    # (on CI's image Python lives under /root, which only root may enter).
    undo = _open_path_to(REPO) + _open_path_to(Path(os.path.realpath(sys.executable)).parent)
    runtime = base / "hub"
    runtime.mkdir(mode=0o700)
    homes = base / "home"
    homes.mkdir()
    # The shared exchange, set up as the README says (ugo+rwx).
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    shared_config = base / "etc-jupyter"
    shared_config.mkdir()
    (shared_config / "nbgrader_config.py").write_text(readme_nbgrader_config(exchange), encoding="utf-8")
    # The course's git origin: a bare clone of this repository, served by `git daemon` on loopback
    # (over a network protocol, as GitHub would be; git refuses a local clone of another account's files).
    origin = base / "git" / "lbp-course"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(REPO), str(origin)], check=True,
                   capture_output=True)
    port, hub_port, proxy_api_port, git_port = _free_ports(4)
    git_daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={git_port}", "--export-all",
         f"--base-path={base / 'git'}", str(base / "git")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    hub_process = None
    token = secrets.token_hex(16)
    log = base / "jupyterhub.log"
    try:
        for user in users:
            _add_user(user, homes)
        config = runtime / "jupyterhub_config.py"
        config.write_text(HUB_CONFIG.format(
            repo=str(REPO), port=port, hub_port=hub_port, proxy_api_port=proxy_api_port, chp=chp,
            runtime=str(runtime), password=PASSWORD, users=users, instructor=instructor, token=token,
            singleuser=str(BIN / "jupyterhub-singleuser"), shared_config=str(shared_config),
            exchange=str(exchange),
        ), encoding="utf-8")
        env = {**os.environ, "PATH": f"{BIN}:{Path(chp).parent}:{os.environ.get('PATH', '')}"}
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_PATH"):
            env.pop(name, None)
        with log.open("w") as out:
            hub_process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=runtime, env=env,
                                           stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        origin_url = f"git://127.0.0.1:{git_port}/lbp-course"
        hub = Hub(f"http://127.0.0.1:{port}", base, exchange, origin_url, instructor, students, token, log,
                  shared_config)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{hub.url}/hub/api", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert hub_process.poll() is None, f"the hub exited:\n{hub.log_tail()}"
            assert time.monotonic() < deadline, f"the hub did not start:\n{hub.log_tail()}"
            time.sleep(0.3)
        yield hub
    finally:
        if hub_process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub_process.pid, signal.SIGTERM)
            try:
                hub_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(hub_process.pid, signal.SIGKILL)
        for user in users:
            # Single-user servers run in their own sessions: stop whatever each account still runs.
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        time.sleep(0.5)
        for user in users:
            subprocess.run(["userdel", "-r", user], capture_output=True)
        with contextlib.suppress(ProcessLookupError, FileNotFoundError):
            pid = int((runtime / "proxy.pid").read_text())
            os.kill(pid, signal.SIGTERM)
        git_daemon.terminate()
        git_daemon.wait(timeout=30)
        for path, mode in undo:
            path.chmod(mode)
        if os.environ.get("LBP_KEEP_HUB"):
            print(f"hub files kept in {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def nbgitpuller_link(hub: Hub) -> str:
    """The README's nbgitpuller link, pointed at this hub and at the local git origin of the course."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`(https://[^`\s]+/hub/user-redirect/git-pull\?[^`\s]+)`", readme)
    assert match, "README.md prints no nbgitpuller link"
    parts = urlsplit(match.group(1))
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    query["repo"] = hub.origin_repo
    return f"{hub.url}{parts.path}?{urlencode(query)}"



@dataclass
class LabView:
    """What one user's JupyterLab showed in Chromium."""

    nbgrader_menu: list[str]
    formgrader_page: str
    other_hosts: set[str]
    news_requests: list[str]
    toasts: list[str]


def open_labs(hub: Hub, sessions: list[UserSession]) -> dict[str, LabView]:
    """Open each user's JupyterLab in headless Chromium, logged in with the session's cookies.

    Runs Playwright in a thread of its own (its sync API refuses a thread with a running event loop).
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_open_labs, hub, sessions).result()


def _open_labs(hub: Hub, sessions: list[UserSession]) -> dict[str, LabView]:
    from playwright.sync_api import sync_playwright

    from tests.servers import CHROMIUM, CHROMIUM_ARGS

    views = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for session in sessions:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([
                    {"name": c.name, "value": c.value or "", "domain": "127.0.0.1", "path": c.path or "/"}
                    for c in session.http.cookies
                ])
                page = context.new_page()
                hosts: set[str] = set()
                news: list[str] = []

                def seen(request: object, hosts: set[str] = hosts, news: list[str] = news) -> None:
                    url = urlsplit(request.url)  # type: ignore[attr-defined]
                    if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
                        hosts.add(url.hostname)
                    if "/lab/api/news" in url.path or "/lab/api/update" in url.path:
                        news.append(url.path)

                page.on("request", seen)
                page.goto(f"{session.server}/lab", wait_until="load")
                menu = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Nbgrader")
                menu.wait_for(timeout=60_000)
                # Give the start-up notifications (such as "fetch Jupyter news?") time to appear.
                page.wait_for_timeout(2000)
                toasts = page.locator(".Toastify__toast").all_inner_texts()
                menu.click()
                items = page.locator("#jp-mainmenu-nbgrader .lm-Menu-item:visible .lm-Menu-itemLabel")
                labels = [label.strip() for label in items.all_inner_texts()]
                formgrader = ""
                if "Formgrader" in labels:
                    menu_items = page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel")
                    menu_items.filter(has_text="Formgrader").first.click()
                    formgrader = _frame_text(page, "/formgrader", "treatment-choices")
                else:
                    page.keyboard.press("Escape")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"hub-lab-{session.user}.png"))
                views[session.user] = LabView(labels, formgrader, hosts, news, toasts)
                context.close()
        finally:
            browser.close()
    return views


def _frame_text(page: Page, url_part: str, expected: str, timeout: float = 60) -> str:
    """The text of the page's frame whose URL contains ``url_part``, once it shows ``expected``."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        for frame in page.frames:
            if url_part in frame.url:
                with contextlib.suppress(PlaywrightError):
                    text = frame.locator("body").inner_text(timeout=5000)
                if expected in text:
                    return text
        page.wait_for_timeout(250)
    return text
