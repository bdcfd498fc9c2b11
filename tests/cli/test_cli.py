"""The CLI through the installed ``sagemaker-lineage`` command, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lineage.contract import lineage_schema
from lineage.sandbox import (
    SANDBOX_ACCESS_KEY_ID,
    SANDBOX_SECRET_ACCESS_KEY,
    SandboxProcess,
    apply_environment,
    parse_faults,
    sandbox_environment,
)
from tests.cli.commands import COMMAND, assert_one_line_error, run, sandbox_env
from tests.conftest import StartSandbox
from tests.helpers import fixture_path, load_fixture

DEFINITIONS = sorted(fixture_path("definitions").glob("*.json"))
SESSION_TOKEN = "sandbox-session-token-do-not-leak-0123456789"


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "generatedAt"}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda path: path.stem)
def test_render_writes_the_golden_document(definition: Path, tmp_path: Path) -> None:
    out = tmp_path / "lineage.json"
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
        ("{not json", "bad.json is not JSON (line 1, column 2: "),
        ('{"Steps": {}}', "bad.json is not a pipeline definition: Steps"),
        ('{"Steps": [{"Type": "Training"}]}', "bad.json is not a pipeline definition: Steps[0]"),
        ("[1, 2]", "bad.json is not a pipeline definition: definition must be a JSON object"),
        (b"\xff\xfe{}", "bad.json is not UTF-8 text"),
    ],
)
def test_render_malformed_definition_is_a_usage_error_naming_the_file(
    tmp_path: Path, content: str | bytes, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = run("render", str(path))
    assert_one_line_error(result, fragment)
    assert result.returncode == 2


def test_render_of_broken_json_says_where(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{\n  "Version": "2020-12-01",\n  "Steps" []\n}\n')
    result = run("render", "broken.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "sagemaker-lineage: error: broken.json is not JSON "
        "(line 3, column 11: Expecting ':' delimiter)\n"
    )


def test_render_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = run("render", str(tmp_path / "absent.json"))
    assert_one_line_error(result, "cannot read")
    assert result.returncode == 2


@pytest.mark.parametrize("command", ["render", "dump"])
def test_out_into_a_missing_folder_is_a_usage_error_and_makes_no_folder(
    tmp_path: Path, command: str, free_port: int
) -> None:
    out = tmp_path / "missing" / "lineage.json"
    args = {
        "render": ["render", str(DEFINITIONS[0])],
        # Checked before any AWS call: the endpoint is never asked.
        "dump": ["dump", "--region", "ap-northeast-2", "--pipeline-name", "mlops-pipeline"],
    }[command]
    result = run(*args, "--out", str(out),
                 env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port}"})
    assert_one_line_error(result, f"folder {tmp_path / 'missing'} does not exist")
    assert result.returncode == 2
    assert not (tmp_path / "missing").exists()


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
    assert_one_line_error(result, "pipeline no-such-pipeline not found in ap-northeast-2")
    assert result.returncode == 3
    assert out.read_text() == "previous content"  # a failure loses nothing


def test_dump_in_the_wrong_region_names_the_region_not_a_domain_filter(
    sandbox: SandboxProcess,
) -> None:
    result = run(
        "dump", "--region", "us-east-1", "--pipeline-name", "mlops-pipeline",
        env=sandbox_env(sandbox),
    )
    assert_one_line_error(result, "pipeline mlops-pipeline not found in us-east-1")
    assert "domain" not in result.stderr
    assert result.returncode == 3


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


def test_debug_shows_our_aws_calls_without_botocore_internals(
    start_sandbox: StartSandbox,
) -> None:
    faulty = start_sandbox(faults=parse_faults("deny=sagemaker:DescribeTrainingJob"))
    env = sandbox_env(faulty)
    env["AWS_SESSION_TOKEN"] = SESSION_TOKEN
    result = run(
        "--debug", "dump", "--region", "ap-northeast-2", "--pipeline-name", "mlops-pipeline",
        "--include-latest-exec", env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "DEBUG lineage.aws: sagemaker:DescribePipeline answered" in result.stderr
    assert "DEBUG lineage.aws: sagemaker:DescribeTrainingJob failed: AccessDenied" in lines
    assert all(line.startswith(("DEBUG lineage.", "INFO lineage.")) for line in lines), lines
    for secret in (SANDBOX_ACCESS_KEY_ID, SANDBOX_SECRET_ACCESS_KEY, SESSION_TOKEN,
                   "Authorization", "is not authorized", "botocore", "urllib3"):
        assert secret not in result.stderr
