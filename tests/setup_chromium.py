"""Make sure a Chromium is there for the browser tests, installing Debian's package when allowed.

Run by `make test` and `make bench`. Prints the browser's path on stdout (the Makefile passes it to
the tests as CHROMIUM); everything else goes to stderr. The browser used is, in order:

1. CHROMIUM, when set: it must name an executable file, nothing is installed;
2. `chromium` on PATH;
3. Debian's `chromium` package, installed with `apt-get` as root, or with `sudo -n apt-get` when
   sudo needs no password. Otherwise the script stops with one line saying what to run.

Standard library only, so it runs before or without the project's virtual environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGE = "chromium"
BROWSER = "chromium"
INSTALL_HINT = (
    f"run `sudo apt-get install -y {PACKAGE}` (or set CHROMIUM=/path/to/chromium-or-chrome), "
    "then run `make test` again"
)


class SetupError(Exception):
    """A reason the browser cannot be set up, as one line for the person at the terminal."""


def is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def configured_browser() -> str | None:
    """The browser CHROMIUM names, or None when it is unset; an error when it names no browser."""
    path = os.environ.get("CHROMIUM")
    if not path:
        return None
    if not is_executable(path):
        raise SetupError(f"CHROMIUM={path} is not an executable file: point it at Chromium or "
                         "Chrome, or unset it to use (or install) Debian's chromium")
    return path


def apt_prefix() -> list[str] | None:
    """How to run apt-get with root rights: [] as root, ["sudo", "-n"] with passwordless sudo."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") is None:
        return None
    asked = subprocess.run(["sudo", "-n", "true"], capture_output=True)
    return ["sudo", "-n"] if asked.returncode == 0 else None


def install(prefix: list[str]) -> None:
    """Install the package with apt-get, without questions, showing apt's output on stderr."""
    apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    for args in (["update"], ["install", "-y", PACKAGE]):
        print("+", " ".join(apt + args), file=sys.stderr)
        done = subprocess.run(apt + args, stdout=sys.stderr)
        if done.returncode != 0:
            raise SetupError(f"`{' '.join(apt + args)}` failed (exit {done.returncode}): install "
                             "Chromium or Chrome yourself and set CHROMIUM=/path/to/it")


def browser() -> str:
    """The path of the browser to test with, installing Debian's package if needed and allowed."""
    path = configured_browser() or shutil.which(BROWSER)
    if path:
        return path
    prefix = apt_prefix()
    if prefix is None:
        raise SetupError(f"Chromium is needed for the browser tests and is not installed: {INSTALL_HINT}")
    install(prefix)
    path = shutil.which(BROWSER)
    if path is None:
        raise SetupError(f"apt-get installed {PACKAGE} but no `{BROWSER}` is on PATH: {INSTALL_HINT}")
    return path


def main() -> int:
    try:
        print(browser())
    except SetupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
