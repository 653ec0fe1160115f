"""The Zero to JupyterHub values (hub/z2jh/config.yaml): keys the chart knows, and settings that agree.

No cluster here: the chart is not installed and the image not built. The keys are checked against
the part of the chart's values schema this file uses, transcribed below (key names and types, and
the chart's ``additionalProperties: false`` where it has it, so a misspelt key fails) from
jupyterhub/values.schema.yaml of jupyterhub/zero-to-jupyterhub-k8s at commit
02dd73df01bdbb6d602fed21b0be12565ab38080 (sections hub, singleuser, cull).
"""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hub.roles import HERE as ROLES_DIR
from hub.roles import role_env
from tests.servers import REPO

Z2JH = REPO / "hub" / "z2jh"
CLOSED = {"type": "object", "additionalProperties": False}
NUMBER_OR_NULL = {"type": ["number", "null"]}
SIZE = {"type": ["number", "string", "null"]}
FILE = {**CLOSED, "required": ["mountPath"], "properties": {
    "mountPath": {"type": "string"}, "data": {"type": "object"}, "stringData": {"type": "string"},
    "binaryData": {"type": "string"}, "mode": {"type": "integer"}}}
SUBSET = {
    **CLOSED,
    "properties": {
        "hub": {**CLOSED, "properties": {
            "config": {"type": "object", "additionalProperties": True},
            "extraConfig": {"type": "object", "additionalProperties": {"type": "string"}},
        }},
        "singleuser": {**CLOSED, "properties": {
            "image": {**CLOSED, "properties": {"name": {"type": "string"}, "tag": {"type": "string"},
                                               "pullPolicy": {"type": ["string", "null"]},
                                               "pullSecrets": {"type": "array"}}},
            "defaultUrl": {"type": ["string", "null"]},
            "lifecycleHooks": {**CLOSED, "properties": {"postStart": {"type": "object"},
                                                        "preStop": {"type": "object"}}},
            "memory": {**CLOSED, "properties": {"limit": SIZE, "guarantee": SIZE}},
            "cpu": {**CLOSED, "properties": {"limit": NUMBER_OR_NULL, "guarantee": NUMBER_OR_NULL}},
            "extraEnv": {"type": ["object", "array"]},
            "extraFiles": {**CLOSED, "patternProperties": {".*": FILE}},
            "storage": {**CLOSED, "properties": {
                "capacity": {"type": ["string", "null"]}, "extraVolumes": {"type": "array"},
                "extraVolumeMounts": {"type": "array"}, "homeMountPath": {"type": "string"},
                "type": {"enum": ["dynamic", "static", "none"]}}},
        }},
        "cull": {**CLOSED, "required": ["enabled"], "properties": {
            "enabled": {"type": "boolean"}, "users": {"type": ["boolean", "null"]},
            "adminUsers": {"type": ["boolean", "null"]}, "removeNamedServers": {"type": ["boolean", "null"]},
            "timeout": {"type": ["integer", "null"]}, "every": {"type": ["integer", "null"]},
            "concurrency": {"type": ["integer", "null"]}, "maxAge": {"type": ["integer", "null"]}}},
    },
}


def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((Z2JH / "config.yaml").read_text(encoding="utf-8"))
    return loaded


def errors(user: dict[str, Any]) -> list[str]:
    found = jsonschema.Draft7Validator(SUBSET).iter_errors(user)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def test_the_values_pass_the_chart_schema() -> None:
    assert errors(values()) == []


def test_the_check_rejects_a_misspelt_key() -> None:
    broken = values()
    broken["singleuser"]["memmory"] = broken["singleuser"].pop("memory")
    found = errors(broken)
    assert len(found) == 1 and "memmory" in found[0], found


@pytest.mark.parametrize(("section", "key", "value"), [
    ("cull", "timout", 3600),                                   # misspelt culler key
    ("singleuser", "defaultURL", "/lab"),                       # wrong case
    ("hub", "extraConfigs", {}),                                # not a chart key
])
def test_the_check_rejects_other_unknown_keys(section: str, key: str, value: Any) -> None:
    broken = values()
    broken[section][key] = value
    assert any(key in error for error in errors(broken))


def test_the_check_rejects_a_wrong_type() -> None:
    broken = values()
    broken["singleuser"]["cpu"]["limit"] = "1 core"
    assert any(error.startswith("singleuser.cpu.limit") for error in errors(broken))


def test_the_exchange_variable_names_the_mounted_shared_volume() -> None:
    single = values()["singleuser"]
    exchange = single["extraEnv"]["NBGRADER_EXCHANGE"]
    mounts = {m["mountPath"]: m["name"] for m in single["storage"]["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in single["storage"]["extraVolumes"]}
    assert mounts[exchange] in claims
    # The same path as the local hub of the main README and widgets/data/deploy.yaml.
    deploy = yaml.safe_load((REPO / "widgets" / "data" / "deploy.yaml").read_text(encoding="utf-8"))
    assert exchange == deploy["exchange"]


def test_the_hub_wide_nbgrader_config_names_the_same_exchange_and_course() -> None:
    single = values()["singleuser"]
    config = single["extraFiles"]["nbgrader-config"]
    assert config["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    deploy = yaml.safe_load((REPO / "widgets" / "data" / "deploy.yaml").read_text(encoding="utf-8"))
    namespace = types.SimpleNamespace(CourseDirectory=types.SimpleNamespace(),
                                      Exchange=types.SimpleNamespace())
    exec(config["stringData"], {"get_config": lambda: namespace})
    assert namespace.Exchange.root == single["extraEnv"]["NBGRADER_EXCHANGE"]
    assert namespace.CourseDirectory.course_id == deploy["course_id"]


def test_the_role_hook_gives_each_role_its_folder_in_the_image() -> None:
    hook_source = values()["hub"]["extraConfig"]["lbp-roles.py"]
    config = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    exec(compile(hook_source, "lbp-roles.py", "exec"), {"c": config})  # the chart runs it the same way
    for groups, role in (([], "student"), (["instructors"], "instructor"), (["tas"], "student")):
        user = types.SimpleNamespace(groups=[types.SimpleNamespace(name=g) for g in groups])
        spawner = types.SimpleNamespace(user=user, environment={"NBGRADER_EXCHANGE": "/x"})
        config.KubeSpawner.pre_spawn_hook(spawner)
        in_image = spawner.environment["JUPYTER_CONFIG_PATH"]
        # The same folder as on a local hub, with the checkout at /opt/lbp-course in the image.
        local = Path(role_env(role)["JUPYTER_CONFIG_PATH"])
        assert in_image == f"/opt/lbp-course/{local.relative_to(REPO).as_posix()}"
        assert (ROLES_DIR / role).is_dir()
        assert spawner.environment["NBGRADER_EXCHANGE"] == "/x"  # the hook adds, never replaces
    assert values()["hub"]["config"]["JupyterHub"]["load_groups"]["instructors"]["users"]


def test_the_image_installs_the_tested_environment_and_nbgitpuller() -> None:
    dockerfile = (Z2JH / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY --chown=${NB_UID}:${NB_GID} . /opt/lbp-course" in dockerfile
    assert re.search(r"^RUN pip install .*-r binder/requirements\.txt .*nbgitpuller", dockerfile, re.M)
    assert (REPO / "binder" / "requirements.txt").read_text(encoding="utf-8").rstrip().endswith("-e .")
    ignored = (Z2JH / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and ".git" in ignored
    command = values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and command[-1] == "lbp-course"
    assert values()["singleuser"]["defaultUrl"].startswith("/lab/tree/lbp-course/lessons/")


def test_the_memory_settings_follow_from_the_measured_student() -> None:
    readme = (Z2JH / "README.md").read_text(encoding="utf-8")
    one, four = (float(re.search(rf"{n} open, median total: ([0-9.]+) MiB", readme).group(1))  # type: ignore[union-attr]
                 for n in ("one lesson", "four lessons"))
    measured = (Z2JH / "measured-memory.txt").read_text(encoding="utf-8")
    assert f'"median_total_rss_mib": {one}' in measured and f'"median_total_rss_mib": {four}' in measured
    memory = values()["singleuser"]["memory"]
    guarantee, limit = memory["guarantee"], memory["limit"]
    assert guarantee.endswith("Mi") and limit.endswith("Gi")  # binary units, as the measurement
    assert int(guarantee[:-2]) >= one * 1.2  # at least a fifth to spare
    assert int(limit[:-2]) * 1024 >= 2 * four  # twice a student with four lessons open


def test_the_course_is_pulled_as_the_main_readme_link_pulls_it() -> None:
    """The start hook and default URL match widgets/data/deploy.yaml's nbgitpuller link."""
    from urllib.parse import parse_qs, urlsplit

    from widgets.deploy import deploy

    link = parse_qs(urlsplit(deploy().nbgitpuller_url("lessons/00-start-here.ipynb")).query)
    single = values()["singleuser"]
    _, repo, branch, target = single["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert [repo] == link["repo"] and [branch] == link["branch"] and target == deploy().repo_name
    assert single["defaultUrl"] == "/" + link["urlpath"][0]
