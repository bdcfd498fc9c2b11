"""The CDK app, offline: one real ``cdk synth`` by the npm CLI per session (no AWS
credentials), in-process synths for other contexts, and the Lambda package, built once.

Nothing here needs AWS: the environment of every synth has no credentials, no profile and
no instance metadata, and the CLI fetches no notices and sends no telemetry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy.build_lambda import Package, build

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CDK = DEPLOY / "node_modules" / ".bin" / "cdk"
VENV_BIN = Path(sys.executable).parent
NODE_MISSING = ("node is not installed: the CDK app and its CLI run on it "
                "(.ci/run installs Debian's nodejs; or apt-get install nodejs)")
# The session's CLI synth: App Runner (us-east-1 has it) with Redis.
CLI_CONTEXT = {"region": "us-east-1", "dashboardRedis": "true"}
SYNTH_TIMEOUT_SEC = 120


def offline_env() -> dict[str, str]:
    """This process's environment without AWS credentials or configuration."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "CDK_"))}
    env.update({
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance metadata lookups for credentials
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "true",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


def require_node() -> None:
    if shutil.which("node") is None:
        pytest.fail(NODE_MISSING, pytrace=False)


@dataclass(frozen=True)
class Synth:
    returncode: int
    output: str  # stdout and stderr
    outdir: Path

    def template(self, stack: str) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(
            (self.outdir / f"{stack}.template.json").read_text(encoding="utf-8"))
        return document


def cli_synth(context: Mapping[str, str], outdir: Path, *stacks: str) -> Synth:
    """``cdk synth`` from deploy/ as a user runs it (the npm CLI, ``python app.py``)."""
    require_node()
    if not CDK.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"{CDK.relative_to(REPO)} is missing and so is npm (Debian: apt-get "
                        "install nodejs npm; `make cdk-cli` runs npm ci in deploy/)",
                        pytrace=False)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=DEPLOY, check=True,
                       env=offline_env(), capture_output=True, timeout=SYNTH_TIMEOUT_SEC)
    flags = [arg for key, value in context.items() for arg in ("-c", f"{key}={value}")]
    done = subprocess.run(
        # --no-staging: the templates are what the tests read; the package is not copied.
        [str(CDK), "synth", "--quiet", "--no-notices", "--no-staging", "-o", str(outdir),
         *flags, *stacks],
        cwd=DEPLOY, env=offline_env(), capture_output=True, text=True,
        timeout=SYNTH_TIMEOUT_SEC, check=False,
    )
    return Synth(done.returncode, done.stdout + done.stderr, outdir)


@pytest.fixture(scope="session")
def lambda_package() -> Package:
    """The function's package, built by the script (or reused by its stamps)."""
    return build()


@pytest.fixture(scope="session")
def synth(lambda_package: Package, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    result = cli_synth(CLI_CONTEXT, tmp_path_factory.mktemp("cdk.out"))
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the package in in-process synths, which test the stacks, not it."""
    folder = tmp_path_factory.mktemp("lambda-package")
    (folder / "dashboard").mkdir()
    (folder / "dashboard" / "aws_lambda.py").write_text("def handler(event, context): ...\n")
    return folder


@pytest.fixture(scope="session")
def in_process() -> Iterator[Any]:
    """``build_app`` in this process, with the jsii runtime quiet about Debian's Node 20."""
    require_node()
    from deploy.app import quiet_node_banner

    env = dict(os.environ)
    quiet_node_banner(env)
    for key in ("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
                "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"):
        if key in env:
            os.environ.setdefault(key, env[key])
    from deploy.app import build_app

    yield build_app
