"""The embedded AWS sandbox: moto in server mode plus what moto lacks.

This module is the client side (used by tests, the CLI and the web server): the environment
that points boto3 at a sandbox, and :class:`SandboxProcess`, which runs one in a subprocess.
Importing it never imports moto; moto lives only in the server process
(``python -m lineage.sandbox``, see :mod:`lineage.sandbox.server`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import IO, Any

from lineage.sandbox.options import FaultSpec, FaultSpecError, SandboxOptions, parse_faults

__all__ = [
    "ACCOUNT_ID",
    "READY_PREFIX",
    "SANDBOX_ACCESS_KEY_ID",
    "SANDBOX_ENV",
    "SANDBOX_SECRET_ACCESS_KEY",
    "SECOND_ACCOUNT_ID",
    "SECOND_ACCOUNT_ROLE_ARN",
    "FaultSpec",
    "FaultSpecError",
    "SandboxError",
    "SandboxOptions",
    "SandboxProcess",
    "apply_environment",
    "environment_overridden",
    "parse_faults",
    "sandbox_environment",
]

ACCOUNT_ID = "123456789012"
#: A second account of the seeded world; ``sts:AssumeRole`` of the role, with the sandbox's
#: credentials, gives credentials moto answers from that account's own backend.
SECOND_ACCOUNT_ID = "210987654321"
SECOND_ACCOUNT_ROLE_ARN = f"arn:aws:iam::{SECOND_ACCOUNT_ID}:role/sagemaker-lineage-readonly"
DEFAULT_SANDBOX_REGION = "ap-northeast-2"
SANDBOX_ACCESS_KEY_ID = "AKIASANDBOXDUMMYKEY0"
SANDBOX_SECRET_ACCESS_KEY = "sandbox-secret-do-not-leak"
READY_PREFIX = "Sandbox listening on "

# The variables sandbox_environment() sets; "" means "remove from the environment".
SANDBOX_ENV: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": DEFAULT_SANDBOX_REGION,
    "AWS_PROFILE": "",
    "AWS_SESSION_TOKEN": "",
}

_READY_LINE = re.compile(r"^Sandbox listening on (http://\S+)\s*$")


class SandboxError(RuntimeError):
    """The sandbox process did not start, or died."""


def sandbox_environment(endpoint: str, region: str = DEFAULT_SANDBOX_REGION) -> dict[str, str]:
    """The environment variables that point boto3 at the sandbox at ``endpoint``.

    Keys mapped to ``""`` (``AWS_PROFILE``, ``AWS_SESSION_TOKEN``) must be removed from the
    environment rather than set; :func:`apply_environment` does that.
    """
    env = dict(SANDBOX_ENV)
    env["AWS_ENDPOINT_URL"] = endpoint
    env["AWS_DEFAULT_REGION"] = region
    return env


def apply_environment(base: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """``base`` updated with ``overrides``, where an empty override removes the variable."""
    env = dict(base)
    for key, value in overrides.items():
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


@contextlib.contextmanager
def environment_overridden(overrides: Mapping[str, str]) -> Iterator[None]:
    """Run the block with ``os.environ`` updated by :func:`apply_environment`, then restore it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(apply_environment(saved, overrides))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class SandboxProcess:
    """``python -m lineage.sandbox`` in a subprocess on a free port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with SandboxProcess(SandboxOptions(latency_ms=50)) as sandbox:
            env = sandbox.environment()
            ...
            assert sandbox.calls() == [...]
    """

    def __init__(
        self,
        options: SandboxOptions | None = None,
        *,
        port: int = 0,
        start_timeout: float = 60.0,
        python: str = sys.executable,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.options = options or SandboxOptions()
        self.port = port
        self.start_timeout = start_timeout
        self.python = python
        self.extra_args = tuple(extra_args)
        self._process: subprocess.Popen[str] | None = None
        self._endpoint: str | None = None
        self._output: list[str] = []

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> SandboxProcess:
        if self._process is not None:
            raise SandboxError("sandbox already started")
        argv = [self.python, "-m", "lineage.sandbox", "--port", str(self.port)]
        argv += self.options.to_argv() + list(self.extra_args)
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        # The sandbox process must not pick up a real AWS endpoint or profile.
        env = apply_environment(env, {"AWS_ENDPOINT_URL": "", "AWS_PROFILE": ""})
        self._process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        assert self._process.stdout is not None
        reader = threading.Thread(
            target=self._pump, args=(self._process.stdout, lines), daemon=True
        )
        reader.start()
        deadline = time.monotonic() + self.start_timeout
        while self._endpoint is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise SandboxError(f"sandbox not ready after {self.start_timeout:g}s")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.stop()
                tail = "".join(self._output[-20:])
                raise SandboxError(f"sandbox exited before it was ready:\n{tail}")
            match = _READY_LINE.match(line)
            if match:
                self._endpoint = match.group(1)
        return self

    def _pump(self, stream: IO[str], lines: queue.Queue[str | None]) -> None:
        for line in stream:
            self._output.append(line)
            if len(self._output) > 500:
                del self._output[:250]
            if self._endpoint is None:
                lines.put(line)
        lines.put(None)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process; kill it if it does not exit within ``timeout``."""
        process, self._process = self._process, None
        self._endpoint = None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- state ---------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise SandboxError("sandbox is not running")
        return self._endpoint

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def output(self) -> str:
        """What the process printed so far (the last few hundred lines)."""
        return "".join(self._output)

    def environment(self, region: str = DEFAULT_SANDBOX_REGION) -> dict[str, str]:
        return sandbox_environment(self.endpoint, region)

    # --- the /_sandbox control API -------------------------------------------------------

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        request = urllib.request.Request(self.endpoint + path, method=method)
        if body is not None:
            request.data = json.dumps(body).encode("utf-8")
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))

    def calls(self) -> list[dict[str, str]]:
        """AWS calls answered since start or the last :meth:`reset_calls`, in arrival order."""
        calls: list[dict[str, str]] = self._request("GET", "/_sandbox/calls")["calls"]
        return calls

    def reset_calls(self) -> None:
        self._request("POST", "/_sandbox/reset-calls")

    def health(self) -> dict[str, Any]:
        health: dict[str, Any] = self._request("GET", "/_sandbox/health")
        return health

    def faults(self) -> FaultSpec:
        """The faults the sandbox answers with now."""
        return parse_faults(self.health()["faults"])

    def set_faults(self, faults: str | FaultSpec) -> FaultSpec:
        """Answer the next AWS calls with these faults instead (``""``: none), as the
        sandbox read them; :class:`FaultSpecError` (and nothing changed) for a bad spec."""
        spec = faults.to_spec() if isinstance(faults, FaultSpec) else faults
        try:
            answer = self._request("POST", "/_sandbox/faults", {"faults": spec})
        except urllib.error.HTTPError as exc:
            if exc.code != 400:
                raise
            raise FaultSpecError(json.loads(exc.read().decode("utf-8"))["message"]) from None
        return parse_faults(answer["faults"])

    @contextlib.contextmanager
    def faults_set(self, faults: str | FaultSpec) -> Iterator[FaultSpec]:
        """Run the block with these faults, then the ones before again (even on failure)::

            with sandbox.faults_set("deny=s3:GetBucketEncryption"):
                ...
        """
        before = self.faults()
        applied = self.set_faults(faults)
        try:
            yield applied
        finally:
            self.set_faults(before)
