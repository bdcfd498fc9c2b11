"""Test helpers shared by every test package: ``load_fixture`` reads ``tests/fixtures/``."""

from __future__ import annotations

import json
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
