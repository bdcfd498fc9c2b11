"""Shared fixtures: the AWS sandbox (one per session) and a factory for extra ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings

from lineage.sandbox import SandboxOptions, SandboxProcess, parse_faults

StartSandbox = Callable[..., SandboxProcess]
SetFaults = Callable[[str], SandboxProcess]


def setting_faults(process: SandboxProcess) -> Iterator[SetFaults]:
    """For a fixture to ``yield from``: ``set_to(spec)`` makes ``process`` answer as one
    started with ``--faults spec`` (throttling draws from the seed), its call log empty;
    no faults once the test ends."""

    def set_to(spec: str) -> SandboxProcess:
        assert process.set_faults(spec) == parse_faults(spec)
        process.reset_calls()
        return process

    try:
        yield set_to
    finally:
        process.set_faults("")

# Property tests explore a fixed sequence of examples: a failure reproduces exactly, in CI too.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("deterministic")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """The seeded sandbox without latency or faults, shared by the whole session.

    Tests that count calls must ``reset_calls()`` first; tests must not change its state.
    """
    with SandboxProcess(SandboxOptions()) as process:
        yield process


@pytest.fixture
def start_sandbox() -> Iterator[StartSandbox]:
    """Start extra sandboxes with options; each is stopped when the test ends.

    ``start_sandbox(latency_ms=200)``, ``start_sandbox(faults=parse_faults("throttle=1"))``,
    ``start_sandbox(definitions_dir=path, seed_world=False)``, or pass a ``SandboxOptions``.
    """
    started: list[SandboxProcess] = []

    def start(options: SandboxOptions | None = None, **fields: object) -> SandboxProcess:
        if options is None:
            options = SandboxOptions(**fields)  # type: ignore[arg-type]
        process = SandboxProcess(options)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
