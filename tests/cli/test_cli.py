"""The CLI through the installed ``sagemaker-lineage`` command, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lineage.contract import lineage_schema
from lineage.sandbox import SandboxProcess, apply_environment, sandbox_environment
from tests.helpers import fixture_path, load_fixture

COMMAND = shutil.which("sagemaker-lineage", path=str(Path(sys.executable).parent))
DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None, "sagemaker-lineage is not installed in this environment"
    return subprocess.run(
        [COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
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


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "generatedAt"}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda path: path.stem)
def test_render_writes_the_golden_document(definition: Path, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "lineage.json"
    result = run("render", str(definition), "--out", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, lineage_schema())
    assert without_time(document) == load_fixture(f"golden/{definition.stem}.json")
    assert document["pipeline"]["name"] == definition.stem


def test_render_to_stdout() -> None:
    result = run("render", str(DEFINITIONS[0]))
    assert result.returncode == 0
    assert json.loads(result.stdout)["graph"]["nodes"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"Steps": {}}', "Steps"),
        ('{"Steps": [{"Type": "Training"}]}', "Name"),
    ],
)
def test_render_malformed_definition_is_one_clear_line(
    tmp_path: Path, content: str, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert_one_line_error(run("render", str(path)), fragment)


def test_render_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    assert_one_line_error(run("render", str(tmp_path / "absent.json")), "cannot read")


def test_dump_rejects_a_bad_pipeline_name_before_calling_aws() -> None:
    result = run("dump", "--region", "ap-northeast-2", "--pipeline-name", "bad name!")
    assert_one_line_error(result, "invalid pipeline")
    assert result.returncode == 2


def test_dump_rejects_an_unknown_region() -> None:
    result = run("dump", "--region", "atlantis-1", "--pipeline-name", "p")
    assert_one_line_error(result, "invalid region")


def test_dump_when_aws_cannot_be_reached_is_one_line_and_quick(free_port: int) -> None:
    result = run(
        "dump",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "mlops-pipeline",
        env={
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port}",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
            "AWS_SECRET_ACCESS_KEY": "example",
            "LINEAGE_AWS_CONNECT_TIMEOUT_MS": "200",
            "LINEAGE_AWS_MAX_ATTEMPTS": "1",
        },
        timeout=30,
    )
    assert_one_line_error(result, "did not answer")
    assert result.returncode == 4


def sandbox_env(sandbox: SandboxProcess) -> dict[str, str]:
    return apply_environment(dict(os.environ), sandbox_environment(sandbox.endpoint))


@pytest.mark.parametrize(
    ("pipeline", "region", "status"),
    [
        ("mlops-pipeline", "ap-northeast-2", "Succeeded"),
        ("churn-pipeline", "ap-northeast-2", "Failed"),
        ("fraud-detection-pipeline", "ap-northeast-2", "Executing"),
        ("scale-pipeline", "ap-northeast-2", "Succeeded"),
        ("nlp-pipeline", "us-east-1", "Stopped"),
    ],
)
def test_dump_every_seeded_pipeline_is_contract_valid(
    sandbox: SandboxProcess, tmp_path: Path, pipeline: str, region: str, status: str
) -> None:
    out = tmp_path / f"{pipeline}.json"
    result = run(
        "dump",
        "--region",
        region,
        "--pipeline-name",
        pipeline,
        "--include-latest-exec",
        "--out",
        str(out),
        env=sandbox_env(sandbox),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, lineage_schema())
    assert document["summary"]["overallStatus"] == status
    assert document["pipeline"]["name"] == pipeline


def test_dump_without_the_flag_has_no_run_info(sandbox: SandboxProcess) -> None:
    result = run(
        "dump",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "mlops-pipeline",
        env=sandbox_env(sandbox),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["execution"] is None


def test_dump_unknown_pipeline_is_one_line_and_exit_3(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    out = tmp_path / "keep.json"
    out.write_text("previous content")
    result = run(
        "dump",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "no-such-pipeline",
        "--out",
        str(out),
        env=sandbox_env(sandbox),
    )
    assert_one_line_error(result, "pipeline not found or domain filter mismatched")
    assert result.returncode == 3
    assert out.read_text() == "previous content"  # a failure loses nothing


def test_dump_with_domain_filter(sandbox: SandboxProcess) -> None:
    ok = run(
        "dump",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "mlops-pipeline",
        "--domain",
        "ml-platform",
        env=sandbox_env(sandbox),
    )
    assert ok.returncode == 0, ok.stderr
    mismatch = run(
        "dump",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "mlops-pipeline",
        "--domain",
        "elsewhere",
        env=sandbox_env(sandbox),
    )
    assert_one_line_error(mismatch, "domain filter mismatched")


def test_dump_with_its_own_sandbox(tmp_path: Path) -> None:
    out = tmp_path / "mlops.json"
    result = run(
        "dump",
        "--sandbox",
        "--region",
        "ap-northeast-2",
        "--pipeline-name",
        "mlops-pipeline",
        "--include-latest-exec",
        "--out",
        str(out),
        env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},  # ignored: --sandbox points elsewhere
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["execution"]["status"] == "Succeeded"


def test_sandbox_command_prints_its_endpoint_and_stops_on_interrupt() -> None:
    assert COMMAND is not None
    with subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--latency-ms", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("Sandbox listening on http://127.0.0.1:")
            env = apply_environment(dict(os.environ), sandbox_environment(line.split()[-1]))
            result = run(
                "dump",
                "--region",
                "us-east-1",
                "--pipeline-name",
                "nlp-pipeline",
                "--include-latest-exec",
                env=env,
            )
            assert json.loads(result.stdout)["summary"]["overallStatus"] == "Stopped"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
