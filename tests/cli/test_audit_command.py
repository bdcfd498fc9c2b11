"""``sagemaker-lineage audit`` on the session's sandbox, as CI runs it: a table for people, the
/findings JSON, CSV, and the gate: ``--fail-on high`` exits 5 for the pipeline that reads the
open features bucket, 0 for the clean chain (``mlops-pipeline``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from lineage.errors import EXIT_FINDINGS, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from lineage.findings_report import CSV_COLUMNS
from lineage.sandbox import SECOND_ACCOUNT_ROLE_ARN, SandboxProcess
from tests.cli.commands import assert_one_line_error, run, sandbox_env

pytestmark = pytest.mark.sandbox

RISKY = "churn-xgb-training-pipeline"  # reads s3://customer-features-apne2/features/customers
CLEAN = "mlops-pipeline"
SEOUL = ("--region", "ap-northeast-2")


@pytest.fixture(scope="module")
def env(sandbox: SandboxProcess) -> dict[str, str]:
    return {**sandbox_env(sandbox), "LINEAGE_ACCOUNT_ROLES": SECOND_ACCOUNT_ROLE_ARN}


def test_the_gate_closes_for_the_risky_pipeline(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, "--pipeline", RISKY, "--fail-on", "high", env=env)
    assert result.returncode == EXIT_FINDINGS == 5, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["severity", "rule", "location", "reaches"]
    # A source's location and what it reaches on its first row, its other findings below.
    first = next(row for row in rows if "s3://customer-features-apne2/features/customers" in row)
    assert "endpoint" not in first and "furthest:" in first  # a pipeline's steps, no estate
    assert any(row.split()[:2] == ["high", "S3_ENCRYPTION_MISSING"] for row in rows)
    assert rows[-1].endswith("exempted")  # the summary line
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("sagemaker-lineage: audit: ") and "severity high or above" in line
    assert "Traceback" not in result.stderr


def test_the_gate_opens_for_the_clean_chain(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, "--pipeline", CLEAN, "--fail-on", "high", env=env)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert result.stderr == ""


def test_without_a_gate_findings_never_fail(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, "--pipeline", RISKY, env=env)
    assert result.returncode == EXIT_OK, result.stderr


def test_json_is_the_findings_answer(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    result = run("audit", *SEOUL, "--pipeline", RISKY, "--format", "json", "--out", str(out),
                 "--fail-on", "critical", "--severity", "critical", env=env)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == {"scope", "minSeverity", "summary", "groups", "warnings",
                           "generatedAt"}
    assert report["scope"]["pipeline"] == RISKY and report["minSeverity"] == "critical"
    critical = report["summary"]["bySeverity"]["critical"]
    # The gate and what is shown agree here; the code follows the findings, not the view.
    assert result.returncode == (EXIT_FINDINGS if critical else EXIT_OK), result.stderr
    for group in report["groups"]:
        assert group["source"]["kind"] == "artifact"
        assert all(finding["severity"] == "critical" for finding in group["findings"])


def test_the_estate_as_a_table_reaches_the_endpoint(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, "--estate", "--severity", "high", env=env, timeout=180)
    assert result.returncode == EXIT_OK, result.stderr
    rows = result.stdout.splitlines()
    features = [row for row in rows if "s3://customer-features-apne2/features/customers" in row]
    assert features and "endpoint" in features[0]
    assert all(row.split()[0] in ("severity", "high", "critical", "(high)", "(critical)")
               for row in rows[:-1] if row.strip() and not row.startswith(" "))


def test_csv(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, "--pipeline", RISKY, "--format", "csv", env=env)
    assert result.returncode == EXIT_OK, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows and list(rows[0]) == list(CSV_COLUMNS)
    assert {row["bucket"] for row in rows} >= {"customer-features-apne2"}


@pytest.mark.parametrize(("args", "fragment", "code"), [
    (("--pipeline", "not_a_pipeline"), "invalid pipeline", EXIT_USAGE),
    (("--estate", "--execution", "abc"), "invalid execution", EXIT_USAGE),
    (("--pipeline", RISKY, "--region", "ap-northeast-2,us-east-1"), "invalid region",
     EXIT_USAGE),
    (("--pipeline", RISKY, "--account", "123456789012"), "invalid account", EXIT_USAGE),
    (("--pipeline", "no-such-pipeline"), "pipeline no-such-pipeline not found in "
     "ap-northeast-2", EXIT_NOT_FOUND),
])
def test_bad_input_is_one_line(
    env: dict[str, str], args: tuple[str, ...], fragment: str, code: int
) -> None:
    result = run("audit", *args, "--fail-on", "low", env=env)
    assert result.returncode == code
    assert_one_line_error(result, fragment)


def test_pipeline_or_estate_is_required(env: dict[str, str]) -> None:
    result = run("audit", *SEOUL, env=env)
    assert result.returncode == EXIT_USAGE
    assert "one of the arguments --pipeline --estate is required" in result.stderr
    helped = run("audit", "--help", env=env)
    assert f"{EXIT_FINDINGS} findings at or above it" in " ".join(helped.stdout.split())
