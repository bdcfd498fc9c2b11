"""``sagemaker-lineage sandbox`` as a user runs it: its options, its errors, what it prints."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from lineage.sandbox import SANDBOX_ENV, SandboxOptions, SandboxProcess, apply_environment
from tests.cli.commands import COMMAND, run
from tests.sandbox.output import Lines

pytestmark = pytest.mark.sandbox


class Sandbox:
    """``sagemaker-lineage sandbox ARGS``: its ready line, then what it prints up to the export
    line; stopped (killed if need be) by :meth:`stop`, also when it never got that far."""

    def __init__(self, *args: str) -> None:
        assert COMMAND is not None
        env = apply_environment(dict(os.environ), {"AWS_ENDPOINT_URL": "", "PYTHONUNBUFFERED": "1"})
        self.process = subprocess.Popen(
            [COMMAND, "sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.output = Lines(self.process.stdout)
        self.first = ""
        self.lines: list[str] = []

    def __enter__(self) -> Sandbox:
        try:
            self.first = self.output.next()
            self.lines = self.output.until(lambda line: line.strip().startswith("export "))
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        return self.first.removeprefix("Sandbox listening on ").strip()

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.endpoint + "/_sandbox/health", timeout=10) as answer:
            health: dict[str, Any] = json.loads(answer.read())
            return health

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


def test_repeated_faults_combine() -> None:
    with Sandbox(
        "--no-world", "--faults", "throttle=0.3", "--faults", "deny=s3:GetBucketEncryption",
        "--faults", "deny=sagemaker:DescribeTrainingJob,seed=7",
    ) as sandbox:
        assert sandbox.first.startswith("Sandbox listening on http://127.0.0.1:")
        assert sandbox.health()["faults"] == (
            "throttle=0.3;deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob;seed=7"
        )


def test_conflicting_faults_are_a_usage_error_naming_both() -> None:
    result = run("sandbox", "--faults", "throttle=0.3", "--faults", "throttle=0.5")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "sagemaker-lineage sandbox: error: --faults: "
        "conflicting faults throttle=0.3 and throttle=0.5"
    )


@pytest.mark.parametrize(
    "args",
    [["--faults", "explode=1"], ["--latency-ms", "-1"], ["--definitions", "/no/such/dir"],
     ["--port", "x"]],
)
def test_sandbox_errors_name_the_command_the_user_typed(args: list[str]) -> None:
    result = run("sandbox", *args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("sagemaker-lineage sandbox: error: ")
    assert "python -m" not in result.stderr and "Traceback" not in result.stderr


def test_it_says_what_it_loaded_and_how_to_use_it(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "03_capstone-hermes-llm-finetune.json").write_text(
        json.dumps({"Version": "2020-12-01", "Steps": [{"Name": "Only", "Type": "Mystery"}]})
    )
    (definitions / "broken.json").write_text('{\n  "Version": "2020-12-01",\n  "Steps" []\n}\n')
    (definitions / "list.json").write_text("[]")
    with Sandbox("--definitions", str(definitions)) as sandbox:
        assert sandbox.first.startswith("Sandbox listening on http://127.0.0.1:")
        text = "\n".join(sandbox.lines)
        assert "  ap-northeast-2  mlops-pipeline " in text
        assert "  us-east-1       nlp-pipeline " in text
        assert "fraud-detection-pipeline      always running, a new execution every 14 min" in text
        assert "  03_capstone-hermes-llm-finetune.json -> 03-capstone-hermes-llm-finetune" in text
        assert (
            "  broken.json skipped: not JSON (line 3, column 11: Expecting ':' delimiter)" in text
        )
        assert "  list.json skipped: not a JSON object" in text
        export = sandbox.lines[-1].strip()
        assert export == (
            f"export AWS_ENDPOINT_URL={sandbox.endpoint}"
            f" AWS_ACCESS_KEY_ID={SANDBOX_ENV['AWS_ACCESS_KEY_ID']}"
            f" AWS_SECRET_ACCESS_KEY={SANDBOX_ENV['AWS_SECRET_ACCESS_KEY']}"
            f" AWS_DEFAULT_REGION={SANDBOX_ENV['AWS_DEFAULT_REGION']}"
        )


def test_sandbox_process_still_finds_its_ready_line(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text('{"Steps": [{"Name": "A", "Type": "Processing"}]}')
    with SandboxProcess(SandboxOptions(definitions_dir=tmp_path, seed_world=False)) as sandbox:
        assert sandbox.endpoint.startswith("http://127.0.0.1:")
        assert sandbox.health()["status"] == "ok"
        deadline = time.monotonic() + 10
        while "one.json -> one" not in sandbox.output and time.monotonic() < deadline:
            time.sleep(0.05)  # the lines after the ready one, read by another thread
        assert "one.json -> one" in sandbox.output
