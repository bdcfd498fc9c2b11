"""Fixtures shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

import pytest

from lineage.sandbox import SandboxProcess
from tests.sandbox.clients import client


@pytest.fixture(scope="module")
def sm(sandbox: SandboxProcess) -> Any:
    """A SageMaker client in Seoul on the shared sandbox."""
    return client(sandbox, "sagemaker")
