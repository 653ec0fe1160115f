"""tests/setup_chromium.py, the step of `make test` that finds or installs Chromium.

The real script runs in a subprocess whose PATH holds only a folder of stand-in commands: an
`apt-get` and a `sudo` that log their arguments, and whose "install" writes a `chromium` file into
that folder. That tests every decision without touching the machine's packages. Runs without root
rights use `setpriv` to drop to the `nobody` user when the tests themselves run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("setup_chromium.py")
NOBODY = 65534
INSTALL = "apt-get install -y chromium DEBIAN_FRONTEND=noninteractive"
UPDATE = "apt-get update DEBIAN_FRONTEND=noninteractive"


def write_executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir() -> Iterator[Path]:
    """A folder for stand-in commands, open to the `nobody` user (pytest's tmp_path is not).

    It holds the real `env` and `true`, which the script and the stand-in sudo run.
    """
    path = Path(tempfile.mkdtemp(prefix="setup-chromium-"))
    path.chmod(0o777)
    for tool in ("env", "true"):
        os.symlink(shutil.which(tool) or f"/usr/bin/{tool}", path / tool)
    yield path
    shutil.rmtree(path)


def fake_apt_get(bin_dir: Path, install_exit: int = 0) -> None:
    """An apt-get that logs each call; `install` writes an executable `chromium` into bin_dir."""
    write_executable(bin_dir / "apt-get", f"""#!/bin/sh
echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> {bin_dir}/calls.log
if [ "$1" = install ]; then
    [ {install_exit} = 0 ] || exit {install_exit}
    printf '#!/bin/sh\\n' > {bin_dir}/chromium
    /bin/chmod 755 {bin_dir}/chromium
fi
""")


def fake_sudo(bin_dir: Path) -> None:
    """A passwordless sudo that logs each call and runs its command (as the same user)."""
    write_executable(bin_dir / "sudo", f"""#!/bin/sh
echo "sudo $*" >> {bin_dir}/calls.log
[ "$1" = -n ] || exit 1
shift
exec "$@"
""")


def calls(bin_dir: Path) -> list[str]:
    log = bin_dir / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def run_setup(bin_dir: Path, chromium: str | None = None, *, as_root: bool | None = None
              ) -> subprocess.CompletedProcess[str]:
    """Run the real script with PATH=bin_dir; as_root=False drops to `nobody` when we are root."""
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir)}
    if chromium is not None:
        env["CHROMIUM"] = chromium
    command = [sys.executable, str(SCRIPT)]
    root = os.geteuid() == 0
    if as_root and not root:
        pytest.skip("needs root")
    if as_root is False and root:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to run as a user without root rights")
        # `nobody` may not reach the checkout (a clone in `mktemp -d` is 0700): run a copy of the
        # script from bin_dir with the interpreter itself rather than the venv's link to it.
        script = shutil.copy(SCRIPT, bin_dir / SCRIPT.name)
        command = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   os.path.realpath(sys.executable), str(script)]
    return subprocess.run(command, env=env, cwd=bin_dir, capture_output=True, text=True, timeout=60)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def test_an_existing_chromium_setting_is_used_and_nothing_installed(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    browser = write_executable(bin_dir / "my-chrome", "#!/bin/sh\n")
    done = run_setup(bin_dir, str(browser))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{browser}\n"
    assert calls(bin_dir) == []


def test_chromium_on_path_is_used_and_nothing_installed(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    browser = write_executable(bin_dir / "chromium", "#!/bin/sh\n")
    done = run_setup(bin_dir)
    assert (done.returncode, done.stdout) == (0, f"{browser}\n"), done.stderr
    assert calls(bin_dir) == []


def test_a_chromium_setting_naming_no_file_stops_with_one_line(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    missing = str(bin_dir / "no-such-browser")
    done = run_setup(bin_dir, missing)
    assert done.returncode != 0 and done.stdout == ""
    line = one_line(done.stderr)
    assert f"CHROMIUM={missing} is not an executable file" in line
    assert calls(bin_dir) == [], "a wrong CHROMIUM must not trigger an install"


def test_without_root_or_sudo_it_says_what_to_run(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    done = run_setup(bin_dir, as_root=False)
    assert done.returncode != 0 and done.stdout == ""
    line = one_line(done.stderr)
    assert "Chromium is needed" in line and "run `sudo apt-get install -y chromium`" in line
    assert calls(bin_dir) == []


def test_without_apt_get_it_says_what_to_run(bin_dir: Path) -> None:
    done = run_setup(bin_dir)
    assert done.returncode != 0
    assert "sudo apt-get install -y chromium" in one_line(done.stderr)


def test_as_root_it_updates_then_installs_with_apt_get(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    fake_sudo(bin_dir)
    done = run_setup(bin_dir, as_root=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{bin_dir / 'chromium'}\n", "the installed browser's path, and only it"
    assert calls(bin_dir) == [UPDATE, INSTALL], "root needs no sudo"


def test_with_passwordless_sudo_it_installs_with_sudo_n(bin_dir: Path) -> None:
    fake_apt_get(bin_dir)
    fake_sudo(bin_dir)
    done = run_setup(bin_dir, as_root=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{bin_dir / 'chromium'}\n"
    apt = "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get"
    assert calls(bin_dir) == ["sudo -n true", f"{apt} update", UPDATE, f"{apt} install -y chromium", INSTALL]


def test_a_failed_install_stops_with_one_line(bin_dir: Path) -> None:
    fake_apt_get(bin_dir, install_exit=100)
    fake_sudo(bin_dir)
    done = run_setup(bin_dir)
    assert done.returncode != 0 and done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    assert "apt-get install -y chromium` failed (exit 100)" in last and "CHROMIUM=" in last
