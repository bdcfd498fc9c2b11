"""The benchmark's naive baseline switch and the warm-up: same answers, other scheduling."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from lineage.aws import ClientFactory, sagemaker_regions
from lineage.config import ENV_SERIAL_AWS_CALLS, Settings
from lineage.errors import ConfigError
from lineage.request import parse_lineage_request
from lineage.sandbox import SandboxProcess, apply_environment, sandbox_environment
from lineage.service import LineageService


def test_serial_switch_from_the_environment() -> None:
    assert Settings.from_env({}).serial_aws_calls is False
    assert Settings.from_env({ENV_SERIAL_AWS_CALLS: "true"}).serial_aws_calls is True
    assert Settings.from_env({ENV_SERIAL_AWS_CALLS: "0"}).serial_aws_calls is False
    with pytest.raises(ConfigError, match=ENV_SERIAL_AWS_CALLS):
        Settings.from_env({ENV_SERIAL_AWS_CALLS: "sometimes"})


def test_serial_switch_makes_one_single_thread_pool_for_every_service() -> None:
    serial = LineageService(Settings(serial_aws_calls=True))
    normal = LineageService(Settings(aws_max_workers=3, s3_max_workers=5))
    try:
        assert serial.pool_for("sagemaker") is serial.pool_for("s3")
        assert serial.pool_for("s3")._max_workers == 1
        assert normal.pool_for("sagemaker") is not normal.pool_for("s3")
        assert normal.pool_for("sagemaker")._max_workers == 3
        assert normal.pool_for("s3")._max_workers == 5
    finally:
        serial.close()
        normal.close()


def _point_at(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in apply_environment({}, sandbox_environment(sandbox.endpoint)).items():
        monkeypatch.setenv(name, value)


def _document(service: LineageService, pipeline: str) -> dict[str, Any]:
    request = parse_lineage_request(
        {"pipeline": pipeline}, settings=service.settings, regions=sagemaker_regions()
    )
    document = service.get_lineage(request).to_dict()
    document.pop("generatedAt")
    return document


@pytest.mark.sandbox
def test_serial_baseline_answers_the_same_with_the_same_calls_one_at_a_time(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(sandbox, monkeypatch)
    answers: dict[bool, tuple[dict[str, Any], list[dict[str, str]]]] = {}
    for serial in (False, True):
        settings = Settings(serial_aws_calls=serial)
        service = LineageService(settings, ClientFactory(settings))
        try:
            sandbox.reset_calls()
            document = _document(service, "mlops-pipeline")
            answers[serial] = (document, sandbox.calls())
            if serial:
                names = {t.name for t in threading.enumerate() if t.name.startswith("serial")}
                assert len(names) == 1
        finally:
            service.close()
    (parallel_doc, parallel_calls), (serial_doc, serial_calls) = answers[False], answers[True]
    assert serial_doc == parallel_doc
    assert sorted(map(str, serial_calls)) == sorted(map(str, parallel_calls))


@pytest.mark.sandbox
def test_warm_makes_the_clients_without_calling_aws(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(sandbox, monkeypatch)
    settings = Settings()
    clients = ClientFactory(settings)
    service = LineageService(settings, clients)
    sandbox.reset_calls()
    assert service.warm(["ap-northeast-2", "us-east-1"]) >= 0
    assert sandbox.calls() == []
    assert set(clients._clients) == {
        (service_name, region, None)  # no role: the server's own account
        for service_name in ("sagemaker", "s3")
        for region in ("ap-northeast-2", "us-east-1")
    }
