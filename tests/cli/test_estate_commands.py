"""``sagemaker-lineage estate | impact | provenance`` on the session's sandbox, as a user runs
them: the API's JSON, a table for people, one clear line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.errors import EXIT_NOT_FOUND, EXIT_USAGE
from lineage.sandbox import SECOND_ACCOUNT_ROLE_ARN, SandboxProcess
from tests.cli.commands import assert_one_line_error, run, sandbox_env

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def env(sandbox: SandboxProcess) -> dict[str, str]:
    return {**sandbox_env(sandbox), "LINEAGE_ACCOUNT_ROLES": SECOND_ACCOUNT_ROLE_ARN}


def test_estate_prints_the_api_json(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "estate.json"
    result = run("estate", "--region", "ap-northeast-2", "--out", str(out), env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    estate = json.loads(out.read_text(encoding="utf-8"))
    assert {"nodes", "edges", "warnings", "generatedAt"} <= set(estate)
    pipelines = {n["label"] for n in estate["nodes"] if n["kind"] == "pipeline"}
    assert {"customer-features-pipeline", "partner-churn-scoring-pipeline"} <= pipelines


def test_provenance_as_a_table(env: dict[str, str]) -> None:
    result = run("provenance", "--endpoint", "churn-prod", "--format", "table", env=env,
                 timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["kind", "label", "region", "account", "status"]
    rows = {tuple(line.split()[:2]) for line in lines[1:]}
    assert ("endpoint", "churn-prod") in rows
    assert ("pipeline", "customer-features-pipeline") in rows
    assert ("dataset", "s3://customer-raw-apne2/raw/customers") in rows


def test_impact_of_a_bucket(env: dict[str, str]) -> None:
    result = run("impact", "customer-features-apne2", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    reached = {item["label"] for item in json.loads(result.stdout)["reached"]}
    assert {"churn-xgb-training-pipeline", "churn-prod"} <= reached


@pytest.mark.parametrize(("args", "fragment", "code"), [
    (("impact", "http://not-s3/x"), "invalid uri", EXIT_USAGE),
    (("impact", "Not_A_Bucket"), "invalid bucket", EXIT_USAGE),
    (("estate", "--depth", "0"), "invalid depth", EXIT_USAGE),
    (("estate", "--region", "us-west-9"), "invalid region", EXIT_USAGE),
    (("provenance", "--endpoint", "no-such-endpoint"), "no endpoint", EXIT_NOT_FOUND),
])
def test_bad_input_is_one_line(
    env: dict[str, str], args: tuple[str, ...], fragment: str, code: int
) -> None:
    result = run(*args, env=env, timeout=120)
    assert result.returncode == code
    assert_one_line_error(result, fragment)
