"""Sandbox options: what ``--latency-ms``, ``--faults``, ``--definitions``, ``--estate-size``
and ``--extra-history`` mean.

Pure data and parsing; importing this module never imports moto.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FAULT_SEED = 20240501
# Benchmark runs go in the free hours of mlops-pipeline's history: three a day over its 26
# days (lineage.sandbox.world.mlops_history.MAX_EXTRA_RUNS, which imports moto's world).
MAX_EXTRA_HISTORY = 78

_OPERATION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")


class FaultSpecError(ValueError):
    """A ``--faults`` specification that cannot be understood."""


@dataclass(frozen=True)
class FaultSpec:
    """Which AWS calls the sandbox answers with an error.

    ``throttle`` is the share of calls (0.0-1.0) answered with AWS's throttling error, drawn
    from a generator seeded with ``seed``; ``deny`` holds ``(service, Operation)`` pairs that
    are always answered with AccessDenied.
    """

    throttle: float = 0.0
    deny: frozenset[tuple[str, str]] = frozenset()
    seed: int = DEFAULT_FAULT_SEED

    @property
    def active(self) -> bool:
        return self.throttle > 0 or bool(self.deny)

    def to_spec(self) -> str:
        """The textual form ``parse_faults`` reads back."""
        parts: list[str] = []
        if self.throttle:
            parts.append(f"throttle={self.throttle:g}")
        if self.deny:
            parts.append("deny=" + ",".join(f"{s}:{o}" for s, o in sorted(self.deny)))
        if self.seed != DEFAULT_FAULT_SEED:
            parts.append(f"seed={self.seed}")
        return ";".join(parts)


def parse_faults(spec: str | Sequence[str] | None) -> FaultSpec:
    """Parse ``throttle=0.3;deny=s3:GetBucketEncryption,sagemaker:DescribeTrainingJob;seed=7``.

    Items are separated by ``,`` or ``;``; an item without ``=`` continues the previous
    ``deny=`` list, so ``deny=a:X,b:Y`` works as written. Several specs (``--faults`` given
    more than once) combine: the deny lists add up, and ``throttle`` or ``seed`` given twice
    with different values is an error naming both.
    """
    specs = [spec] if isinstance(spec, str) else list(spec or ())
    given: dict[str, tuple[str, float]] = {}  # throttle, seed -> (as written, value)
    deny: set[tuple[str, str]] = set()
    for text in specs:
        last_key: str | None = None
        for raw in re.split(r"[,;]", text):
            item = raw.strip()
            if not item:
                continue
            if "=" in item:
                key, _, value = item.partition("=")
                key, value = key.strip().lower(), value.strip()
            elif last_key == "deny":
                key, value = "deny", item
            else:
                raise FaultSpecError(f"fault item {item!r} is not KEY=VALUE")
            last_key = key
            if key == "deny":
                if value:
                    deny.add(_operation(value))
                continue
            if key == "throttle":
                parsed: float = _throttle(value)
            elif key == "seed":
                parsed = _seed(value)
            else:
                raise FaultSpecError(f"unknown fault {key!r} (known: throttle, deny, seed)")
            earlier, earlier_value = given.setdefault(key, (value, parsed))
            if earlier_value != parsed:
                raise FaultSpecError(f"conflicting faults {key}={earlier} and {key}={value}")
    return FaultSpec(
        throttle=given["throttle"][1] if "throttle" in given else 0.0,
        deny=frozenset(deny),
        seed=int(given["seed"][1]) if "seed" in given else DEFAULT_FAULT_SEED,
    )


def _seed(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise FaultSpecError(f"seed must be an integer, not {value!r}") from None


def _throttle(value: str) -> float:
    try:
        throttle = float(value)
    except ValueError:
        raise FaultSpecError(f"throttle must be a number, not {value!r}") from None
    if not 0.0 <= throttle <= 1.0:
        raise FaultSpecError(f"throttle must be between 0 and 1, not {value}")
    return throttle


def _operation(value: str) -> tuple[str, str]:
    if not _OPERATION.match(value):
        raise FaultSpecError(f"deny wants service:Operation, not {value!r}")
    service, _, operation = value.partition(":")
    return service, operation


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that shapes one sandbox process."""

    latency_ms: int = 0
    faults: FaultSpec = field(default_factory=FaultSpec)
    definitions_dir: Path | None = None
    seed_world: bool = True
    estate_size: int = 0  # generated pipelines sharing datasets, besides the world
    extra_history: int = 0  # runs more in mlops-pipeline's history, for benchmarks

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if self.estate_size < 0:
            raise ValueError("estate_size must not be negative")
        if not 0 <= self.extra_history <= MAX_EXTRA_HISTORY:
            raise ValueError(f"extra_history must be between 0 and {MAX_EXTRA_HISTORY}")

    def to_argv(self) -> list[str]:
        """Command-line arguments of ``python -m lineage.sandbox`` giving these options."""
        argv: list[str] = []
        if self.latency_ms:
            argv += ["--latency-ms", str(self.latency_ms)]
        if self.faults.active or self.faults.seed != DEFAULT_FAULT_SEED:
            argv += ["--faults", self.faults.to_spec()]
        if self.definitions_dir is not None:
            argv += ["--definitions", str(self.definitions_dir)]
        if not self.seed_world:
            argv.append("--no-world")
        if self.estate_size:
            argv += ["--estate-size", str(self.estate_size)]
        if self.extra_history:
            argv += ["--extra-history", str(self.extra_history)]
        return argv
