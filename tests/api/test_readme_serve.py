"""The README's other commands, run as written: the API section's ``serve`` lines and its
``curl``, and the ``serve`` line ``make demo`` ends in.

The CLI and sandbox sections are run by ``tests/cli/test_readme_commands.py``; ``make test``
is what CI itself runs. Changes made to a command: the README's port 8050 becomes a free one
(added where a line relies on the default), and "real AWS" is the session's sandbox, reached
through the standard ``AWS_*`` variables as real credentials would be.
"""

from __future__ import annotations

import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from lineage.sandbox import SandboxProcess
from tests.api.conftest import (
    clean_environment,
    free_port,
    sandbox_env,
    start_process,
    stop_process,
)
from tests.cli.test_readme_commands import bash_commands, section

pytestmark = pytest.mark.sandbox

REPO = Path(__file__).resolve().parents[2]
COMMAND = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))
README_PORT = "8050"


def with_port(argv: list[str], port: int) -> list[str]:
    """``argv`` on ``port``: the README's 8050 replaced, or named where the default was used."""
    argv = [str(port) if arg == README_PORT else arg for arg in argv]
    return argv if "--port" in argv else [*argv, "--port", str(port)]


def curl_url(line: str, port: int) -> str:
    argv = shlex.split(line)
    assert argv[0] == "curl" and len(argv) == 2, f"a curl line this test cannot run: {line}"
    return argv[1].replace(f":{README_PORT}/", f":{port}/")


def test_the_api_sections_serve_lines_and_curl_work_as_written(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    assert COMMAND is not None
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = bash_commands(section(readme, "API"))
    serves = [shlex.split(line, comments=True) for line in lines
              if line.startswith("sagemaker-lineage serve")]
    curls = [line for line in lines if line.startswith("curl ")]
    assert len(serves) == 3 and len(curls) == 1, lines
    assert len(lines) == len(serves) + len(curls), "a README line this test does not run"
    for number, argv in enumerate(serves):
        port = free_port()
        sandboxed = "--sandbox" in argv
        env = clean_environment() if sandboxed else sandbox_env(sandbox)
        server = start_process([COMMAND, *with_port(argv, port)[1:]], env,
                               tmp_path / f"serve-{number}.log", f"http://127.0.0.1:{port}")
        try:
            answer = requests.get(curl_url(curls[0], port), timeout=60)
            assert answer.status_code == 200, (argv, answer.text[:300])
            document = answer.json()
            assert document["pipeline"]["name"] == "mlops-pipeline"
            assert document["execution"]["status"] == "Succeeded"
            assert server.get("/healthz").json()["sandbox"] is sandboxed
        finally:
            stop_process(server.process, signal.SIGINT)
        assert server.process.returncode == 0, server.output()


def test_make_demo_serves_the_dashboard_on_the_sandbox(tmp_path: Path) -> None:
    """The recipe's last line, as ``make`` would run it (the install before it is pip's)."""
    assert COMMAND is not None
    # (Under `make test` this is a sub-make: without the parent's flags, it prints only
    # the recipe.)
    env = {k: v for k, v in clean_environment().items()
           if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "--always-make", "demo"], cwd=REPO, text=True,
        capture_output=True, check=True, timeout=60, env=env).stdout.splitlines()
    argv = shlex.split(recipe[-1])
    assert Path(argv[0]).name == "sagemaker-lineage" and argv[1:3] == ["serve", "--sandbox"]
    assert argv[argv.index("--port") + 1] == README_PORT
    port = free_port()
    server = start_process([COMMAND, *with_port(argv, port)[1:]], clean_environment(),
                           tmp_path / "demo.log", f"http://127.0.0.1:{port}")
    try:
        assert "SageMaker Lineage (sandbox)" in server.get("/").text
        assert server.get("/pipelines", params={"region": "ap-northeast-2"}).status_code == 200
    finally:
        stop_process(server.process, signal.SIGINT)
    assert server.process.returncode == 0, server.output()
