"""`sagemaker-lineage serve`: gunicorn with --sandbox (banner, stops the sandbox on exit),
without credentials (a clear start-up message, then 503 per request, no crash), and on a port
that is taken (one line, nothing started)."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import clean_environment, free_port, start_process, stop_process

pytestmark = pytest.mark.sandbox

COMMAND = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))
BANNER = "Sandbox data: this server reads from the embedded AWS sandbox"


def children_running(pid: int, marker: str) -> list[int]:
    """Processes whose parent is ``pid`` and whose command line holds ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and marker in cmdline:
            found.append(int(proc.name))
    return found


def test_serve_sandbox_shows_sandbox_data_and_stops_it(tmp_path: Path) -> None:
    assert COMMAND is not None
    port = free_port()
    server = start_process(
        [COMMAND, "serve", "--sandbox", "--port", str(port), "--workers", "2"],
        clean_environment(),
        tmp_path / "serve.log",
        f"http://127.0.0.1:{port}",
    )
    try:
        sandboxes = children_running(server.process.pid, "lineage.sandbox")
        assert len(sandboxes) == 1
        assert server.get("/healthz").json() == {"status": "ok", "sandbox": True}
        assert BANNER in server.get("/_dash-layout").text
        assert "<title>SageMaker Lineage (sandbox)</title>" in server.get("/").text
        lineage = server.get("/lineage", params={"pipeline": "mlops-pipeline"})
        assert lineage.status_code == 200
        assert lineage.json()["execution"]["status"] == "Succeeded"
        # Two workers share a FileSystemCache that serve made: the answer is cached for both.
        for _ in range(4):
            again = server.get("/lineage", params={"pipeline": "mlops-pipeline"})
            assert again.headers["X-Cache"] == "hit"
        match = re.search(r"Cache: FileSystemCache in (\S+),", server.output())
        assert match is not None
    finally:
        stop_process(server.process, signal.SIGINT)
    assert server.process.returncode == 0, server.output()
    assert not Path(f"/proc/{sandboxes[0]}").exists(), "the sandbox outlived serve"
    assert not Path(match.group(1)).exists(), "the temporary cache was left behind"


def test_serve_without_credentials_warns_and_answers_503(tmp_path: Path) -> None:
    assert COMMAND is not None
    env = {
        key: value for key, value in clean_environment().items() if not key.startswith("AWS_")
    }
    env.update(
        {
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    port = free_port()
    server = start_process(
        [COMMAND, "serve", "--port", str(port), "--workers", "1"],
        env,
        tmp_path / "serve.log",
        f"http://127.0.0.1:{port}",
    )
    try:
        assert "no AWS credentials found" in server.output()
        assert server.get("/healthz").status_code == 200
        for path in ("/lineage?pipeline=mlops-pipeline", "/pipelines?region=us-east-1",
                     "/executions?pipeline=mlops-pipeline"):
            response = server.get(path)
            assert response.status_code == 503, path
            body = response.json()
            assert body["code"] == "NoCredentials"
            assert "credentials" in body["message"]
        assert server.process.poll() is None  # still serving
    finally:
        server.stop()


def test_serve_on_a_busy_port_fails_at_once_starting_nothing(tmp_path: Path) -> None:
    assert COMMAND is not None
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [COMMAND, "serve", "--sandbox", "--port", str(port), "--workers", "1"],
            capture_output=True, text=True, timeout=60, env=clean_environment(), check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # neither "AWS sandbox on" nor "Serving on"
    assert result.stderr == (
        f"sagemaker-lineage: error: cannot serve on 127.0.0.1:{port}: address already in use\n"
    )
