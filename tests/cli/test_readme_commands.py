"""Every command of the README's "The CLI" and "The sandbox" sections, run as written.

The fenced ``bash`` blocks of those sections are read line by line (``\\`` continues a line,
``#`` starts a comment) and run in order, as in one shell at the root of a fresh clone: a
temporary directory holding a copy of ``examples/``. ``export`` sets the environment of what
follows; ``sagemaker-lineage sandbox`` is started, checked for its ready line and what the
README says it prints, and stopped (by the next one, or at the end, as Ctrl-C would);
every other ``sagemaker-lineage`` command must exit 0 and write what it says. The only change
made to a command: the README's port 5005 becomes a free one. "From AWS" is the session's
sandbox.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lineage.contract import lineage_schema
from lineage.sandbox import READY_PREFIX, SandboxProcess, apply_environment, sandbox_environment
from lineage.sandbox.definitions import pipeline_name
from tests.cli.commands import COMMAND
from tests.sandbox.output import Lines

pytestmark = pytest.mark.sandbox

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("The CLI", "The sandbox")
ESTATE_COMMANDS = ("estate", "impact", "provenance")
README_PORT = "5005"


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


def bash_commands(markdown: str) -> list[str]:
    """The command lines of the ``bash`` blocks, continuations joined, comments dropped."""
    commands: list[str] = []
    for block in re.findall(r"^```bash\n(.*?)^```", markdown, re.M | re.S):
        pending = ""
        for line in block.splitlines():
            stripped = line.strip()
            if not pending and (not stripped or stripped.startswith("#")):
                continue
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            commands.append(pending + stripped)
            pending = ""
        assert not pending, f"a block ends on a continued line: {pending!r}"
    return commands


class Shell:
    """The state a user's shell keeps between the README's lines."""

    def __init__(self, cwd: Path, env: dict[str, str], port: int) -> None:
        self.cwd = cwd
        self.env = env
        self.port = str(port)
        self.sandbox: subprocess.Popen[str] | None = None
        self.sandbox_output: list[str] = []  # up to its export line

    def run(self, line: str) -> None:
        argv = shlex.split(line.replace(README_PORT, self.port), comments=True)
        if argv[0] == "export":
            for assignment in argv[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
            return
        assert argv[0] == "sagemaker-lineage", f"a README command this test cannot run: {line}"
        if argv[1] == "sandbox":
            self.start_sandbox(argv[2:])
        else:
            self.run_command(argv[1:], line)

    def run_command(self, args: list[str], line: str) -> None:
        assert COMMAND is not None
        result = subprocess.run(
            [COMMAND, *args], capture_output=True, text=True, timeout=120,
            env=self.env, cwd=self.cwd, check=False,
        )
        assert result.returncode == 0, f"{line}\n{result.stderr}"
        out = _option(args, "--out")
        text = (self.cwd / out).read_text() if out else result.stdout
        if args[0] == "audit":  # the findings report: a table by default, or /findings JSON
            if _option(args, "--format") in (None, "table"):
                assert text.splitlines()[0].split() == ["severity", "rule", "location",
                                                        "reaches"], line
            elif _option(args, "--format") == "json":
                assert {"groups", "summary"} <= set(json.loads(text)), line
            return
        if _option(args, "--format") == "table":
            header, *rows = text.splitlines()
            assert header.split() == ["kind", "label", "region", "account", "status"] and rows
            return
        document = json.loads(text)
        if args[0] in ESTATE_COMMANDS:  # the estate's JSON: a graph, or what a query reached
            assert {"nodes", "edges"} <= set(document) or document["reached"], line
            return
        jsonschema.validate(document, lineage_schema())  # a lineage document
        pipeline = _option(args, "--pipeline-name")
        if pipeline is not None:
            assert document["pipeline"]["name"] == pipeline, line
        if args[0] == "render":
            assert document["pipeline"]["name"] == Path(args[1]).stem
            assert document["graph"]["nodes"] and document["warnings"] == []
        if args[0] == "dump" and self.sandbox is not None:
            # The export line pointed the command at the README's sandbox, not elsewhere.
            assert any(call["operation"] == "DescribePipeline" for call in self.calls())

    def start_sandbox(self, args: list[str]) -> None:
        self.stop_sandbox()
        assert COMMAND is not None
        self.sandbox = subprocess.Popen(
            [COMMAND, "sandbox", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL, text=True, cwd=self.cwd,
            env={**self.env, "PYTHONUNBUFFERED": "1"},
        )
        assert self.sandbox.stdout is not None
        self.sandbox_output = Lines(self.sandbox.stdout).until(
            lambda line: line.strip().startswith("export ")
        )
        output = "\n".join(self.sandbox_output)
        assert self.sandbox_output[:1] == [f"{READY_PREFIX}http://127.0.0.1:{self.port}"], output
        # What the README says it prints: the seeded world, each definition file, the export.
        assert "  ap-northeast-2  mlops-pipeline " in output
        directory = _option(args, "--definitions")
        if directory is not None:
            files = sorted((self.cwd / directory).glob("*.json"))
            assert files
            for path in files:
                assert f"  {path.name} -> {pipeline_name(path.stem)}" in output
        export = self.sandbox_output[-1].strip()
        assert export.startswith(f"export AWS_ENDPOINT_URL=http://127.0.0.1:{self.port} ")
        faults = [args[i + 1] for i, arg in enumerate(args) if arg == "--faults"]
        if faults:
            spec = self.health()["faults"]
            for fault in faults:  # every --faults given is in force
                for item in re.split(r"[,;]", fault.removeprefix("deny=")):
                    assert item in spec, (item, spec)

    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> Any:
        with urllib.request.urlopen(self.endpoint() + "/_sandbox/health", timeout=10) as answer:
            return json.loads(answer.read())

    def calls(self) -> Any:
        with urllib.request.urlopen(self.endpoint() + "/_sandbox/calls", timeout=10) as answer:
            return json.loads(answer.read())["calls"]

    def stop_sandbox(self) -> None:
        """Ctrl-C, as the user stops it; it must exit cleanly."""
        process, self.sandbox = self.sandbox, None
        if process is None:
            return
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def test_the_sections_hold_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [line for title in SECTIONS for line in bash_commands(section(readme, title))]
    subcommands = {shlex.split(line)[1] for line in lines if line.startswith("sagemaker-lineage")}
    assert {"dump", "render", "sandbox", "audit", *ESTATE_COMMANDS} <= subcommands
    assert any(line.startswith("export AWS_ENDPOINT_URL=") for line in lines)


@pytest.mark.parametrize("title", SECTIONS)
def test_readme_commands_run_as_written(
    title: str, sandbox: SandboxProcess, tmp_path: Path, free_port: int
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = bash_commands(section(readme, title))
    assert commands
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "examples", clone / "examples")
    env = apply_environment(dict(os.environ), sandbox_environment(sandbox.endpoint))
    shell = Shell(clone, env, free_port)
    try:
        for line in commands:
            shell.run(line)
    finally:
        shell.stop_sandbox()
