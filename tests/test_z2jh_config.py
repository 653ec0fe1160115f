"""The Zero to JupyterHub values (hub/z2jh/config.yaml): keys the chart knows, and settings that agree.

No cluster here: the chart is not installed and the image not built. The keys are checked against
the part of the chart's values schema this config uses, transcribed below (key names and types) from
jupyterhub/values.schema.yaml of jupyterhub/zero-to-jupyterhub-k8s at commit
02dd73df01bdbb6d602fed21b0be12565ab38080 (sections hub, singleuser, cull), with the chart's
``additionalProperties: false`` kept where the chart has it, so a misspelt key fails.
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
VOLUMES = {"type": "array"}
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
            "storage": {**CLOSED, "properties": {
                "capacity": {"type": ["string", "null"]}, "extraVolumes": VOLUMES,
                "extraVolumeMounts": VOLUMES, "homeMountPath": {"type": "string"},
                "type": {"enum": ["dynamic", "static", "none"]}}},
        }},
        "cull": {**CLOSED, "properties": {
            "enabled": {"type": "boolean"}, "users": {"type": ["boolean", "null"]},
            "timeout": {"type": ["integer", "null"]}, "every": {"type": ["integer", "null"]},
            "maxAge": {"type": ["integer", "null"]}, "concurrency": {"type": ["integer", "null"]}}},
    },
}


def values() -> dict[str, Any]:
    return yaml.safe_load((Z2JH / "config.yaml").read_text(encoding="utf-8"))


def test_every_key_is_one_the_chart_knows() -> None:
    jsonschema.validate(values(), SUBSET)


def test_the_check_fails_on_a_misspelt_key() -> None:
    broken = values()
    broken["singleuser"]["memmory"] = broken["singleuser"].pop("memory")
    with pytest.raises(jsonschema.ValidationError, match="memmory"):
        jsonschema.validate(broken, SUBSET)


def test_the_exchange_variable_names_the_mounted_volume() -> None:
    single = values()["singleuser"]
    exchange = single["extraEnv"]["NBGRADER_EXCHANGE"]
    mounts = {m["mountPath"]: m["name"] for m in single["storage"]["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in single["storage"]["extraVolumes"]}
    assert mounts[exchange] in claims


def test_the_role_hook_gives_each_role_its_folder_in_the_image() -> None:
    hook_source = values()["hub"]["extraConfig"]["lbp-roles.py"]
    config = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    exec(compile(hook_source, "lbp-roles.py", "exec"), {"c": config})  # the chart runs it the same way
    for groups, role in (([], "student"), (["instructors"], "instructor"), (["tas"], "student")):
        user = types.SimpleNamespace(groups=[types.SimpleNamespace(name=g) for g in groups])
        spawner = types.SimpleNamespace(user=user, environment={})
        config.KubeSpawner.pre_spawn_hook(spawner)
        in_image = spawner.environment["JUPYTER_CONFIG_PATH"]
        # The same folder as on a local hub, with the checkout at /opt/lbp-course in the image.
        local = Path(role_env(role)["JUPYTER_CONFIG_PATH"])
        assert in_image == f"/opt/lbp-course/{local.relative_to(REPO)}"
        assert (ROLES_DIR / role).is_dir()


def test_the_image_installs_the_tested_environment_and_nbgitpuller() -> None:
    dockerfile = (Z2JH / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY --chown=${NB_UID}:${NB_GID} . /opt/lbp-course" in dockerfile
    assert re.search(r"pip install .*-r binder/requirements\.txt .*nbgitpuller", dockerfile)
    command = values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and command[-1] == "lbp-course"


def test_the_memory_guarantee_covers_the_measured_student() -> None:
    readme = (Z2JH / "README.md").read_text(encoding="utf-8")
    measured = float(re.search(r"median total: ([0-9.]+) MB", readme).group(1))  # type: ignore[union-attr]
    guarantee = values()["singleuser"]["memory"]["guarantee"]
    assert guarantee.endswith("M") and int(guarantee[:-1]) >= measured * 1.2
