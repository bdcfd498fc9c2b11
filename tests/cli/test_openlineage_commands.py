"""``dump --format openlineage`` and ``emit`` through the installed command, against the
session's sandbox and a real local receiver that validates each event it gets."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.openlineage import run_event_dicts
from lineage.sandbox import SandboxProcess
from tests.cli.commands import assert_one_line_error, run, sandbox_env
from tests.openlineage_support import LineageReceiver, validate_event

pytestmark = pytest.mark.sandbox
PIPELINE = "churn-pipeline"  # a Failed execution: 6 events
API_KEY = "test-key-0123"


@pytest.fixture
def receiver() -> Iterator[LineageReceiver]:
    with LineageReceiver(api_key=API_KEY) as started:
        yield started


@pytest.fixture(scope="module")
def dumped(sandbox: SandboxProcess) -> list[dict[str, Any]]:
    result = run("dump", "--pipeline-name", PIPELINE, "--format", "openlineage",
                 env=sandbox_env(sandbox))
    assert result.returncode == 0, result.stderr
    events: list[dict[str, Any]] = json.loads(result.stdout)
    return events


def emit(sandbox: SandboxProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run("emit", *args, env={**sandbox_env(sandbox), **env})


def report(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The first word of each event's line (sent, failed, not), without the summary."""
    return [line.split()[0] for line in result.stdout.splitlines()[:-1]]


def test_dump_openlineage_is_a_json_array_of_valid_events_of_the_latest_run(
    sandbox: SandboxProcess, dumped: list[dict[str, Any]]
) -> None:
    for event in dumped:
        validate_event(event)
    # The same events as the library makes of the contract document (run info implied).
    contract = run("dump", "--pipeline-name", PIPELINE, "--include-latest-exec",
                   env=sandbox_env(sandbox))
    assert contract.returncode == 0, contract.stderr
    assert run_event_dicts(json.loads(contract.stdout)) == dumped
    assert [e["eventType"] for e in dumped] == ["START", "START", "COMPLETE", "START", "FAIL",
                                                "FAIL"]


def test_dump_openlineage_with_a_namespace(sandbox: SandboxProcess, tmp_path: Path) -> None:
    out = tmp_path / "events.json"
    result = run("dump", "--pipeline-name", PIPELINE, "--format", "openlineage",
                 "--namespace", "sagemaker-prod", "--out", str(out), env=sandbox_env(sandbox))
    assert result.returncode == 0, result.stderr
    assert {e["job"]["namespace"] for e in json.loads(out.read_text())} == {"sagemaker-prod"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--namespace", "x"), "--namespace applies to --format openlineage only"),
        (("--format", "openlineage", "--namespace", " "), "invalid namespace: must not be"),
    ],
)
def test_dump_format_options_are_checked(
    sandbox: SandboxProcess, args: tuple[str, ...], fragment: str
) -> None:
    result = run("dump", "--pipeline-name", PIPELINE, *args, env=sandbox_env(sandbox))
    assert_one_line_error(result, fragment)
    assert result.returncode == 2


def test_dump_rejects_an_unknown_format() -> None:
    result = run("dump", "--pipeline-name", PIPELINE, "--format", "yaml")
    assert result.returncode == 2
    assert "invalid choice: 'yaml'" in result.stderr


def test_emit_sends_every_event_validated_by_the_receiver(
    sandbox: SandboxProcess, receiver: LineageReceiver, dumped: list[dict[str, Any]]
) -> None:
    result = emit(sandbox, "--url", receiver.url, "--pipeline-name", PIPELINE,
                  OPENLINEAGE_API_KEY=API_KEY)
    assert result.returncode == 0, result.stderr
    assert receiver.events == dumped
    assert receiver.authorizations == [f"Bearer {API_KEY}"] * len(dumped)
    assert report(result) == ["sent"] * len(dumped)
    assert result.stdout.splitlines()[-1] == (
        f"6 of 6 events sent to {receiver.url}/api/v1/lineage")
    assert result.stderr == ""


def test_emit_reports_the_event_the_receiver_refused_and_sends_the_rest(
    sandbox: SandboxProcess, receiver: LineageReceiver, dumped: list[dict[str, Any]]
) -> None:
    receiver.fail_next(3, 500)
    result = emit(sandbox, "--url", receiver.url, "--api-key", API_KEY, "--pipeline-name",
                  PIPELINE, "--retries", "0")
    assert result.returncode == 1
    assert report(result) == ["sent", "sent", "failed", "sent", "sent", "sent"]
    failed = result.stdout.splitlines()[2]
    assert failed.startswith("failed   COMPLETE churn-pipeline.PrepareChurnData ")
    assert failed.endswith(": HTTP 500 Internal Server Error: "
                           '{"message": "request 3 fails on purpose"}')
    assert receiver.events == dumped[:2] + dumped[3:]
    assert result.stderr == (
        "sagemaker-lineage: error: emit: 1 of 6 events failed "
        f"({receiver.url}/api/v1/lineage)\n")


def test_emit_retries_a_5xx_answer(
    sandbox: SandboxProcess, receiver: LineageReceiver, dumped: list[dict[str, Any]]
) -> None:
    receiver.fail_next(2, 503, times=2)
    result = emit(sandbox, "--url", receiver.url, "--api-key", API_KEY, "--pipeline-name",
                  PIPELINE, "--retries", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert receiver.events == dumped
    assert receiver.requests == len(dumped) + 2


def test_emit_reports_each_event_the_receiver_rejects(
    sandbox: SandboxProcess, receiver: LineageReceiver
) -> None:
    result = emit(sandbox, "--url", receiver.url, "--api-key", "wrong", "--pipeline-name",
                  PIPELINE)
    assert result.returncode == 1
    assert report(result) == ["failed"] * 6
    assert all(line.endswith(': HTTP 401 Unauthorized: {"message": "unauthorized"}')
               for line in result.stdout.splitlines()[:-1])
    assert receiver.events == []


def test_emit_to_a_refused_connection_reports_every_event(
    sandbox: SandboxProcess, free_port: int
) -> None:
    url = f"http://127.0.0.1:{free_port}"
    result = emit(sandbox, "--url", url, "--pipeline-name", PIPELINE, "--retries", "1")
    assert result.returncode == 1
    assert report(result) == ["failed", "not", "not", "not", "not", "not"]
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f": {url} could not be reached")
    assert all(line.endswith(f"not tried after {url} could not be reached")
               for line in lines[1:-1])
    assert lines[-1] == f"0 of 6 events sent to {url}/api/v1/lineage"
    assert result.stderr == (
        f"sagemaker-lineage: error: emit: 1 of 6 events failed and 5 not sent "
        f"({url}/api/v1/lineage)\n")
    assert "Traceback" not in result.stderr


def test_emit_from_a_saved_document_needs_no_aws(
    sandbox: SandboxProcess, receiver: LineageReceiver, tmp_path: Path,
    dumped: list[dict[str, Any]],
) -> None:
    saved = tmp_path / "lineage.json"
    result = run("dump", "--pipeline-name", PIPELINE, "--include-latest-exec", "--out",
                 str(saved), env=sandbox_env(sandbox))
    assert result.returncode == 0, result.stderr
    # No AWS at all: an endpoint nobody listens on would fail any AWS call.
    result = run("emit", "--url", receiver.url, "--api-key", API_KEY, "--from", str(saved),
                 env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    assert receiver.events == dumped


def test_emit_of_a_definition_only_document_sends_nothing(
    sandbox: SandboxProcess, receiver: LineageReceiver, tmp_path: Path
) -> None:
    saved = tmp_path / "lineage.json"
    assert run("dump", "--pipeline-name", PIPELINE, "--out", str(saved),
               env=sandbox_env(sandbox)).returncode == 0
    result = run("emit", "--url", receiver.url, "--from", str(saved))
    assert result.returncode == 0
    assert result.stderr == "No execution: there are no OpenLineage events to send.\n"
    assert receiver.requests == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--url", "localhost:5000"), "invalid --url: must be an http:// or https:// URL"),
        (("--url", "ftp://example.com"), "invalid --url: must be an http:// or https:// URL"),
        (("--url", "http://"), "invalid --url: must be an http:// or https:// URL"),
        (("--url", "http://host:port"), "invalid --url: must be an http:// or https:// URL"),
        (("--url", "http://a b"), "invalid --url: must be an http:// or https:// URL"),
        ((), "--url is required (or set $OPENLINEAGE_URL)"),
        (("--url", "{url}", "--timeout", "0"), "invalid --timeout: must be more than 0"),
        (("--url", "{url}", "--timeout", "nan"), "invalid --timeout: must be more than 0"),
        (("--url", "{url}", "--retries", "-1"), "invalid --retries: must be from 0 to 10"),
        (("--url", "{url}", "--api-key", " "), "invalid --api-key: must be a non-empty line"),
        (("--url", "{url}", "--endpoint", "http://x/y"), "invalid --endpoint: must be a path"),
        (("--url", "{url}", "--namespace", ""), "invalid namespace: must not be empty"),
    ],
)
def test_emit_checks_every_option_before_reading_or_sending(
    receiver: LineageReceiver, free_port: int, args: tuple[str, ...], fragment: str
) -> None:
    filled = [receiver.url if arg == "{url}" else arg for arg in args]
    # AWS is not there: an option checked after reading it would fail differently.
    result = run("emit", *filled, "--pipeline-name", PIPELINE,
                 env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port}",
                      "OPENLINEAGE_URL": ""})
    assert_one_line_error(result, fragment)
    assert result.returncode == 2
    assert receiver.requests == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "is not JSON (line 1, column 2: "),
        ('{"pipeline": {}}', "is not a lineage document (at "),
    ],
)
def test_emit_from_a_bad_file_is_a_usage_error(
    receiver: LineageReceiver, tmp_path: Path, content: str, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run("emit", "--url", receiver.url, "--from", str(path))
    assert_one_line_error(result, fragment)
    assert result.returncode == 2


def test_emit_from_with_a_pipeline_is_a_usage_error(
    receiver: LineageReceiver, tmp_path: Path
) -> None:
    result = run("emit", "--url", receiver.url, "--from", str(tmp_path / "x.json"),
                 "--pipeline-name", PIPELINE)
    assert_one_line_error(result, "--from reads a saved document: --pipeline-name does not")
    assert result.returncode == 2


def test_emit_takes_the_url_from_the_environment(
    sandbox: SandboxProcess, receiver: LineageReceiver
) -> None:
    result = emit(sandbox, "--pipeline-name", PIPELINE, OPENLINEAGE_URL=receiver.url,
                  OPENLINEAGE_API_KEY=API_KEY)
    assert result.returncode == 0, result.stderr
    assert len(receiver.events) == 6


def test_emit_of_an_unknown_pipeline_is_exit_3(
    sandbox: SandboxProcess, receiver: LineageReceiver
) -> None:
    result = emit(sandbox, "--url", receiver.url, "--pipeline-name", "no-such-pipeline")
    assert_one_line_error(result, "pipeline no-such-pipeline not found in ap-northeast-2")
    assert result.returncode == 3
    assert receiver.requests == 0
