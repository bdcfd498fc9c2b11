"""Running the installed ``sagemaker-lineage`` as a user does, for the CLI tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from lineage.sandbox import SandboxProcess, apply_environment, sandbox_environment

COMMAND = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None, "sagemaker-lineage is not installed in this environment"
    return subprocess.run(
        [COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sagemaker-lineage: error:")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def sandbox_env(sandbox: SandboxProcess) -> dict[str, str]:
    return apply_environment(dict(os.environ), sandbox_environment(sandbox.endpoint))
