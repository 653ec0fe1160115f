"""Which JupyterLab tools each role gets on a JupyterHub: students no instructor tools, instructors all.

Each role is a Jupyter config directory beside this file (``student/``, ``instructor/``). A user's
server reads it when ``JUPYTER_CONFIG_PATH`` names it; ``role_env`` gives that variable. A hub picks
the role when it starts a server, for example in ``jupyterhub_config.py``::

    from hub.roles import role_env

    def pre_spawn_hook(spawner):
        instructor = any(group.name == "instructors" for group in spawner.user.groups)
        spawner.environment.update(role_env("instructor" if instructor else "student"))

    c.Spawner.pre_spawn_hook = pre_spawn_hook

An instructor's server lets its own JupyterLab show the Formgrader, which JupyterLab embeds in a
frame: since JupyterHub 4.1 a user's server forbids every frame by default (``frame-ancestors
'none'``; nbgrader issue #1870), so the instructor role allows frames from the hub's own origin. On
a hub where all users' servers share one origin, a page on another user's server could then frame
the instructor's; JupyterHub's answer is a subdomain per user (``c.JupyterHub.subdomain_host``).

A student's JupyterLab has no Formgrader, no "create assignment" tools and no course list (their
lab plugins are disabled, and the Formgrader's and course list's server extensions are off); both
roles keep the Assignments list (fetch, submit, feedback) and Validate. This is about showing each
person the right tools, not security: a student's server is their own to reconfigure, and what keeps
grades safe is the file permissions of the instructor's home and of nbgrader's exchange.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = ("student", "instructor")


def role_env(role: str) -> dict[str, str]:
    """Environment variables for the single-user server of a user in ``role``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return {"JUPYTER_CONFIG_PATH": str(HERE / role)}
