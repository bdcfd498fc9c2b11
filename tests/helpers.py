"""Test helpers shared by every test package: ``load_fixture`` reads ``tests/fixtures/``;
``CapturedLog`` keeps what a logger wrote."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(relpath: str) -> Path:
    """The path of a file under ``tests/fixtures/``."""
    return FIXTURES / relpath


def load_fixture(relpath: str) -> Any:
    """A fixture under ``tests/fixtures/``: ``.json`` files decoded, others as text."""
    path = fixture_path(relpath)
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


class CapturedLog(logging.Handler):
    """The records at or above ``level`` of the loggers it is added to."""

    def __init__(self, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
