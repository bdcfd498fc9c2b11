"""The Dockerfile and compose.yaml cannot be run here: check what they say, and run the
image's commands (its entrypoint, nginx's configuration, the HEALTHCHECK) outside it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from dashboard.core.config import DEFAULTS, ENV_MAX_BODY_BYTES
from deploy import entrypoint
from tests.api.conftest import REPO, clean_environment, free_port
from tests.reliability.stack import nginx_binary, running_stack

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
TEMPLATE = (REPO / "deploy" / "nginx" / "nginx.conf.template").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))


def instruction(name: str) -> list[str]:
    """The arguments of every ``name`` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def image_env() -> dict[str, str]:
    pairs = " ".join(instruction("ENV"))
    return dict(re.findall(r"(\w+)=(\S+)", pairs))


def copies() -> dict[str, str]:
    """Each COPY's source -> its destination."""
    found = {}
    for arguments in instruction("COPY"):
        *sources, destination = arguments.split()
        for source in sources:
            found[source] = destination
    return found


def test_slim_base_non_root_runtime_dependencies_only() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    installs = " ".join(instruction("RUN"))
    assert "pip install '.[redis]'" in installs
    assert "dev" not in installs and "sandbox" not in installs
    assert "apt-get install -y --no-install-recommends nginx" in installs


def test_the_command_is_the_entrypoint_with_the_files_it_reads() -> None:
    (command,) = instruction("CMD")
    argv = json.loads(command)
    assert argv[0] == "python"
    installed = PurePosixPath(argv[1])
    assert copies()["deploy/entrypoint.py"] == str(installed)
    # Beside it, where it looks: the very template the tests render and run.
    template = installed.parent / entrypoint.TEMPLATE.relative_to(REPO / "deploy")
    assert copies()["deploy/nginx/nginx.conf.template"] == str(template)
    assert entrypoint.TEMPLATE == REPO / "deploy" / "nginx" / "nginx.conf.template"


def test_the_entrypoint_runs_the_gunicorn_command_the_tests_run() -> None:
    # tests.api.conftest.start_gunicorn runs exactly this (with another app module).
    assert entrypoint.gunicorn_argv(entrypoint.WSGI_APP) == [
        sys.executable, "-m", "gunicorn", "-c", "python:dashboard.server.gunicorn_conf",
        "dashboard.server.wsgi:server",
    ]


def test_only_nginx_is_published_and_the_app_trusts_it_alone() -> None:
    env = image_env()
    assert instruction("EXPOSE") == [env["LINEAGE_PROXY_PORT"]] == ["8050"]
    ports = entrypoint.ports(env)
    assert (ports.listen, ports.app, ports.health) == ("0.0.0.0:8050", 8060, 8061)
    assert env["LINEAGE_HEALTH_PORT"] == "8061"
    assert env["LINEAGE_TRUSTED_PROXIES"] == "1"


def _healthcheck_argv() -> list[str]:
    (healthcheck,) = instruction("HEALTHCHECK")
    _, _, command = healthcheck.partition("CMD ")
    argv: list[str] = json.loads(command)
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def test_the_healthcheck_asks_the_health_listener_for_readiness() -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    assert "/readyz" in healthcheck and "/healthz" not in healthcheck
    assert "LINEAGE_HEALTH_PORT" in healthcheck and "'8061'" in healthcheck


def rendered(tmp_path: Path, ports: entrypoint.Ports) -> Path:
    directory = tmp_path / "nginx"
    directory.mkdir()
    config = directory / "nginx.conf"
    config.write_text(entrypoint.nginx_config(TEMPLATE, ports), encoding="utf-8")
    return config


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    nginx_binary()
    config = rendered(tmp_path, entrypoint.Ports("127.0.0.1:8050", 8060, 8061))
    argv = [*entrypoint.nginx_argv(entrypoint.find_nginx() or "nginx", config.parent), "-t"]
    checked = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def directives(text: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def test_nginx_buffers_requests_whole_and_bounds_slow_clients() -> None:
    config = entrypoint.nginx_config(TEMPLATE, entrypoint.Ports("0.0.0.0:8050", 8060, 8061))
    said = directives(config)
    for wanted in (
        "listen 0.0.0.0:8050 default_server;",
        "server 127.0.0.1:8060;",
        "server 127.0.0.1:8061;",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "client_header_timeout 10s;",
        "client_body_timeout 10s;",
        "send_timeout 10s;",
        "keepalive_timeout 15s;",
        "limit_conn per_client 64;",
        "server_tokens off;",
        "access_log off;",
        "error_log stderr warn;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host $http_host;",
    ):
        assert wanted in said, wanted
    # The app's own body limit, so nginx refuses first and never buffers more.
    (limit,) = [line for line in said if line.startswith("client_max_body_size ")]
    assert int(limit.split()[1].rstrip(";").removesuffix("m")) * 2**20 == DEFAULTS[
        ENV_MAX_BODY_BYTES
    ]
    # Probes go to the health listener; everything else to gunicorn.
    for probe in ("/healthz", "/readyz"):
        block = config.split(f"location = {probe} {{", 1)[1].split("}", 1)[0]
        assert "proxy_pass http://health;" in block
    # Paths relative to the prefix the entrypoint gives: nothing of root's.
    assert not any(line.startswith("user ") for line in said)
    assert "/var/" not in config and "/run/" not in config


def test_a_placeholder_nobody_fills_is_an_error() -> None:
    with pytest.raises(ValueError, match="@NOPE@"):
        entrypoint.nginx_config("listen @NOPE@;", entrypoint.Ports("0.0.0.0:1", 2, 3))


def test_compose_runs_the_image_with_redis_as_its_cache() -> None:
    services = COMPOSE["services"]
    (app,) = [s for s in services.values() if s.get("build") == "."]
    assert app["image"] == "sagemaker-lineage"
    assert app["ports"] == [f"{image_env()['LINEAGE_PROXY_PORT']}:8050"]
    env = dict(item.split("=", 1) for item in app["environment"] if "=" in item)
    assert env["CACHE_TYPE"] == "RedisCache"
    redis_host = re.fullmatch(r"redis://([\w-]+):6379/\d+", env["CACHE_REDIS_URL"])
    assert redis_host is not None
    redis = services[redis_host.group(1)]
    assert redis["image"].startswith("redis:")
    assert app["depends_on"][redis_host.group(1)]["condition"] == "service_healthy"


def test_dockerignore_sends_what_the_dockerfile_copies_and_nothing_else() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").split("\n")
    assert "*" in lines
    included = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    for source in copies():
        parts = PurePosixPath(source).parts
        assert any("/".join(parts[:n]) in included for n in range(1, len(parts) + 1)), source
    assert not any(line.startswith(("!tests", "!.venv", "!.git")) for line in lines)


def test_healthcheck_command_works_against_the_running_entrypoint(tmp_path: Path) -> None:
    with running_stack("dashboard.server.wsgi:server", clean_environment(),
                       tmp_path / "stack.log") as stack:
        port = stack.health_url.rsplit(":", 1)[1]
        env = {**os.environ, "LINEAGE_HEALTH_PORT": port}
        ok = subprocess.run(_healthcheck_argv(), env=env, capture_output=True, timeout=30)
        assert ok.returncode == 0, ok.stderr
    env["LINEAGE_HEALTH_PORT"] = str(free_port())  # nobody listens there
    down = subprocess.run(_healthcheck_argv(), env=env, capture_output=True, timeout=30)
    assert down.returncode != 0


def test_the_entrypoint_stops_gunicorn_when_nginx_dies(tmp_path: Path) -> None:
    with running_stack("dashboard.server.wsgi:server", clean_environment(),
                       tmp_path / "stack.log") as stack:
        children = stack.children()
        nginx = [pid for pid in children
                 if b"nginx" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]]
        assert len(nginx) == 1 and len(children) == 2, children
        stack.expected_exit = 1  # nginx should never exit by itself
        os.kill(nginx[0], signal.SIGTERM)  # its fast shutdown: its workers go with it
        stack.process.wait(timeout=40)
        assert "nginx exited (0); stopping the rest" in stack.output()
    # running_stack checked the exit status and that gunicorn is gone too.
