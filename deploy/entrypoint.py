"""The Docker image's command: gunicorn on loopback with nginx in front, supervised together.

    python entrypoint.py [WSGI_APP]        (default dashboard.server.wsgi:server)

nginx listens on ``LINEAGE_PROXY_HOST:LINEAGE_PROXY_PORT`` (``0.0.0.0:8050``, the port to
publish) and passes requests to gunicorn on ``127.0.0.1:LINEAGE_PORT`` (8060 unless set), and
``/healthz``, ``/readyz`` to the workers' health listener (``LINEAGE_HEALTH_PORT``, default the
next port). Its configuration is ``nginx/nginx.conf.template`` beside this file, rendered into
a fresh directory of the user running it (pid and temporary files), removed at the end.

Both start at once: nginx answers 502 until gunicorn listens, and readiness says when to send
traffic. SIGTERM or SIGINT stops both gracefully (gunicorn TERM, nginx QUIT), killed if they
take longer than gunicorn's graceful timeout and a little; when either exits on its own, the
other is stopped and the exit status is the first one's (1 if it was 0: neither should exit).
As PID 1 of a container it also reaps orphans.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.config import (
    ENV_GRACEFUL_TIMEOUT_SEC,
    ENV_HEALTH_PORT,
    ENV_HOST,
    ENV_PORT,
    load_config,
)
from dashboard.server.health import health_address

# nginx's address: the one clients reach (and the image publishes).
ENV_PROXY_HOST = "LINEAGE_PROXY_HOST"
ENV_PROXY_PORT = "LINEAGE_PROXY_PORT"
DEFAULT_PROXY_HOST = "0.0.0.0"
DEFAULT_PROXY_PORT = "8050"
DEFAULT_APP_PORT = "8060"
# gunicorn only on loopback: nothing reaches it around nginx.
APP_HOST = "127.0.0.1"
WSGI_APP = "dashboard.server.wsgi:server"
TEMPLATE = Path(__file__).resolve().parent / "nginx" / "nginx.conf.template"
PLACEHOLDER = re.compile(r"@[A-Z_]+@")
POLL_SEC = 0.1
STOP_MARGIN_SEC = 5


@dataclass(frozen=True)
class Ports:
    listen: str  # nginx's ``listen`` argument, e.g. 0.0.0.0:8050
    app: int
    health: int  # the health listener's, or gunicorn's own when that is off


@dataclass(frozen=True)
class Command:
    name: str
    argv: list[str]
    env: Mapping[str, str]
    stop_signal: signal.Signals


def ports(env: Mapping[str, str]) -> Ports:
    proxy_host = env.get(ENV_PROXY_HOST) or DEFAULT_PROXY_HOST
    proxy_port = int(env.get(ENV_PROXY_PORT) or DEFAULT_PROXY_PORT)
    app_port = int(env.get(ENV_PORT) or DEFAULT_APP_PORT)
    values = load_config(env={**env, ENV_HOST: APP_HOST, ENV_PORT: str(app_port)})
    health = health_address(values)
    listen = f"[{proxy_host}]:{proxy_port}" if ":" in proxy_host else f"{proxy_host}:{proxy_port}"
    return Ports(listen, app_port, health.port if health is not None else app_port)


def nginx_config(template: str, chosen: Ports) -> str:
    """``template`` with its ``@NAME@`` placeholders filled; ``ValueError`` if one is unknown."""
    values = {"@LISTEN@": chosen.listen, "@APP_PORT@": str(chosen.app),
              "@HEALTH_PORT@": str(chosen.health)}
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(0), match.group(0)), template)
    unknown = PLACEHOLDER.search(text)
    if unknown:
        raise ValueError(f"{TEMPLATE.name}: unknown placeholder {unknown.group(0)}")
    return text


def nginx_argv(binary: str, directory: Path) -> list[str]:
    # -e: nginx's own errors before it reads the file go to stderr too, not to a log file.
    return [binary, "-e", "stderr", "-p", f"{directory}/", "-c", str(directory / "nginx.conf")]


def gunicorn_argv(app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.server.gunicorn_conf", app]


def find_nginx() -> str | None:
    # Debian puts it in /usr/sbin, which is not on a plain user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    app = args[0] if args else WSGI_APP
    nginx = find_nginx()
    if nginx is None:
        print("entrypoint: nginx is not installed", file=sys.stderr)
        return 1
    chosen = ports(os.environ)
    directory = Path(tempfile.mkdtemp(prefix="sagemaker-lineage-nginx-"))
    try:
        # nginx started as root (not in the image) runs its workers as nobody: let them in.
        directory.chmod(0o755)
        config = nginx_config(TEMPLATE.read_text(encoding="utf-8"), chosen)
        (directory / "nginx.conf").write_text(config, encoding="utf-8")
        app_env = {**os.environ, ENV_HOST: APP_HOST, ENV_PORT: str(chosen.app)}
        if chosen.health != chosen.app:
            app_env[ENV_HEALTH_PORT] = str(chosen.health)  # chosen: taken stops the server
        grace = int(load_config(env=app_env)[ENV_GRACEFUL_TIMEOUT_SEC]) + STOP_MARGIN_SEC
        return supervise(
            [
                Command("gunicorn", gunicorn_argv(app), app_env, signal.SIGTERM),
                Command("nginx", nginx_argv(nginx, directory), os.environ, signal.SIGQUIT),
            ],
            grace,
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def supervise(commands: Sequence[Command], grace_sec: float) -> int:
    """Run ``commands``; stop all on SIGTERM/SIGINT or when one exits; the exit status."""
    running: dict[int, tuple[Command, subprocess.Popen[bytes]]] = {}
    status: int | None = None
    kill_at: float | None = None

    def stop(_signum: int | None = None, _frame: object = None) -> None:
        nonlocal kill_at
        if kill_at is None:
            kill_at = time.monotonic() + grace_sec
            for command, process in running.values():
                process.send_signal(command.stop_signal)

    # Before the first child starts, so a stop asked meanwhile is not lost.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    for command in commands:
        if kill_at is not None:
            break
        try:
            process = subprocess.Popen(command.argv, env=dict(command.env))
        except OSError as exc:
            print(f"entrypoint: cannot start {command.name}: {exc}", file=sys.stderr, flush=True)
            status = 1
            stop()
            break
        running[process.pid] = (command, process)
    while running:
        try:
            # Any child: as PID 1, orphans are ours to reap too.
            pid, raw = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if kill_at is not None and time.monotonic() > kill_at:
                for _, process in running.values():
                    process.kill()
                kill_at = float("inf")
            time.sleep(POLL_SEC)
            continue
        if pid not in running:
            continue
        command, process = running.pop(pid)
        code = os.waitstatus_to_exitcode(raw)
        process.returncode = code  # reaped here, not by Popen
        if kill_at is None:
            print(f"entrypoint: {command.name} exited ({code}); stopping the rest",
                  file=sys.stderr, flush=True)
            status = code or 1
            stop()
        elif status is None and code != 0:
            status = code
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
