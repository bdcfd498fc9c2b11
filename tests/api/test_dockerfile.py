"""The Dockerfile cannot be built here: check what it says, and run its commands outside it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.api.conftest import REPO, Server, free_port

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def instruction(name: str) -> list[str]:
    """The arguments of every ``name`` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_slim_base_non_root_runtime_dependencies_only() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    installs = " ".join(instruction("RUN"))
    assert "pip install '.[redis]'" in installs
    assert "dev" not in installs and "sandbox" not in installs


def test_entry_point_is_the_gunicorn_command_the_tests_run() -> None:
    # tests.api.conftest.start_gunicorn runs exactly this (with another app module).
    assert json.loads(instruction("CMD")[-1]) == [
        "gunicorn", "-c", "python:dashboard.server.gunicorn_conf", "dashboard.server.wsgi:server"
    ]


def _healthcheck_argv() -> list[str]:
    (healthcheck,) = instruction("HEALTHCHECK")
    _, _, command = healthcheck.partition("CMD ")
    argv: list[str] = json.loads(command)
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def test_the_healthcheck_asks_for_readiness_not_liveness() -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    assert "/readyz" in healthcheck and "/healthz" not in healthcheck


@pytest.mark.sandbox
def test_healthcheck_command_works_against_a_running_server(api_server: Server) -> None:
    port = api_server.url.rsplit(":", 1)[1]
    env = {**os.environ, "LINEAGE_PORT": port}
    ok = subprocess.run(_healthcheck_argv(), env=env, capture_output=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    env["LINEAGE_PORT"] = str(free_port())  # nobody listens there
    down = subprocess.run(_healthcheck_argv(), env=env, capture_output=True, timeout=30)
    assert down.returncode != 0


def test_dockerignore_sends_only_the_package() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").split("\n")
    assert "*" in lines
    assert {"!pyproject.toml", "!README.md", "!lineage/", "!dashboard/"} <= set(lines)
    assert not any(line.startswith(("!tests", "!.venv", "!.git")) for line in lines)
