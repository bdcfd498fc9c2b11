"""The sandbox as a process: the ready line, the control API, the call log, clean exits."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from lineage.sandbox import SANDBOX_ENV, SandboxProcess, apply_environment, sandbox_environment
from tests.sandbox.clients import client
from tests.sandbox.output import Lines

pytestmark = pytest.mark.sandbox


def test_importing_the_client_api_does_not_import_moto() -> None:
    code = "import sys, lineage.sandbox; print(any(m.startswith('moto') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_sandbox_environment() -> None:
    env = sandbox_environment("http://127.0.0.1:5005", "us-east-1")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5005"
    assert env["AWS_ACCESS_KEY_ID"] == "AKIASANDBOXDUMMYKEY0"
    assert env["AWS_SECRET_ACCESS_KEY"] == "sandbox-secret-do-not-leak"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    applied = apply_environment(
        {"AWS_PROFILE": "prod", "AWS_SESSION_TOKEN": "t", "HOME": "/h"}, env
    )
    assert "AWS_PROFILE" not in applied and "AWS_SESSION_TOKEN" not in applied
    assert applied["HOME"] == "/h"
    assert set(SANDBOX_ENV) <= set(env)


def test_call_log_counts_exactly_and_resets(sandbox: SandboxProcess) -> None:
    sandbox.reset_calls()
    sm, s3 = client(sandbox, "sagemaker"), client(sandbox, "s3")
    sm.describe_pipeline(PipelineName="mlops-pipeline")
    s3.get_bucket_encryption(Bucket="my-mlops-dev2-v2-main-data")
    s3.get_public_access_block(Bucket="my-mlops-dev2-v2-main-data")
    s3.get_bucket_tagging(Bucket="my-mlops-dev2-v2-main-data")
    s3.get_bucket_location(Bucket="my-mlops-dev2-v2-main-data")
    s3.get_bucket_versioning(Bucket="my-mlops-dev2-v2-main-data")
    sandbox.health()
    assert sandbox.calls() == [
        {"service": "sagemaker", "operation": "DescribePipeline", "region": "ap-northeast-2"},
        {"service": "s3", "operation": "GetBucketEncryption", "region": "ap-northeast-2"},
        {"service": "s3", "operation": "GetPublicAccessBlock", "region": "ap-northeast-2"},
        {"service": "s3", "operation": "GetBucketTagging", "region": "ap-northeast-2"},
        {"service": "s3", "operation": "GetBucketLocation", "region": "ap-northeast-2"},
        {"service": "s3", "operation": "GetBucketVersioning", "region": "ap-northeast-2"},
    ]
    sandbox.reset_calls()
    assert sandbox.calls() == []


def test_control_api(sandbox: SandboxProcess) -> None:
    health = sandbox.health()
    assert health["status"] == "ok" and health["latencyMs"] == 0
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(sandbox.endpoint + "/_sandbox/nope", timeout=5)
    assert info.value.code == 404
    info.value.close()
    with urllib.request.urlopen(sandbox.endpoint + "/_sandbox/calls", timeout=5) as response:
        assert "calls" in json.loads(response.read())


def test_module_prints_its_ready_line_first_and_exits_cleanly_on_sigterm() -> None:
    env = apply_environment(dict(os.environ), {"AWS_ENDPOINT_URL": "", "PYTHONUNBUFFERED": "1"})
    process = subprocess.Popen(
        [sys.executable, "-m", "lineage.sandbox", "--port", "0", "--no-world"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = Lines(process.stdout)
        line = lines.next()
        assert line.startswith("Sandbox listening on http://127.0.0.1:")
        endpoint = line.split()[-1]
        assert [lines.next() for _ in range(3)] == [
            "No pipelines seeded.",
            "Point a shell at it (dummy credentials):",
            "  export " + " ".join(
                f"{key}={sandbox_environment(endpoint)[key]}"
                for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                            "AWS_DEFAULT_REGION")
            ),
        ]
        with urllib.request.urlopen(endpoint + "/_sandbox/health", timeout=5) as response:
            assert json.loads(response.read())["status"] == "ok"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        with pytest.raises(AssertionError, match="the output ended"):
            lines.next(timeout=5)  # nothing more
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_bad_options_are_usage_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lineage.sandbox", "--faults", "explode=1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "unknown fault" in result.stderr


def test_process_stop_is_idempotent_and_context_managed() -> None:
    with SandboxProcess(SandboxProcess().options.__class__(seed_world=False)) as process:
        pid = process.pid
        assert process.running and process.endpoint.startswith("http://127.0.0.1:")
    assert not process.running and pid is not None
    process.stop()
    with pytest.raises(RuntimeError):
        _ = process.endpoint


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_port_opens_only_once_the_world_is_seeded() -> None:
    """The first connection that succeeds already finds the world (stdout is never read)."""
    port = free_port()
    env = apply_environment(dict(os.environ), {"AWS_ENDPOINT_URL": "", "AWS_PROFILE": ""})
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "lineage.sandbox", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr.seek(0)
                    pytest.fail(f"sandbox never opened port {port}:\n{stderr.read()}")
            environment = sandbox_environment(f"http://127.0.0.1:{port}")
            sagemaker = boto3.session.Session(
                aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
                region_name=environment["AWS_DEFAULT_REGION"],
            ).client(
                "sagemaker",
                endpoint_url=environment["AWS_ENDPOINT_URL"],
                config=Config(retries={"mode": "standard", "max_attempts": 1}),
            )
            described = sagemaker.describe_pipeline(PipelineName="mlops-pipeline")
            assert described["PipelineName"] == "mlops-pipeline"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
