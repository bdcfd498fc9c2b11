"""The Lambda function's code: the engine and the JSON API in one folder, no Docker needed.

    python deploy/build_lambda.py [--out DIR] [--force]      (make lambda-package)

pip puts the runtime dependencies for Lambda's arm64 Python into the folder
(``--platform manylinux2014_aarch64 --only-binary=:all:``), then our code is copied beside
them: ``lineage/`` without the sandbox, ``dashboard/`` without the Dash pages, the benchmark,
the assets and the CLI. So no Dash, no moto, no test tools. Every module is compiled to
bytecode that is never checked against its source (Lambda's file system is read-only, so
Python could not cache what it compiles at each cold start).

The folder is reused while its inputs are unchanged: ``.deps-stamp`` holds a digest of the
dependency list, ``.code-stamp`` one of our sources; a change of our code recopies only the
code. It prints the size, unzipped and zipped, and fails over Lambda's limits.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import fcntl
import hashlib
import io
import json
import os
import py_compile
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "build" / "lambda"
# The function's runtime and where pip fetches wheels for it.
LAMBDA_PYTHON = "3.11"
PLATFORM = "manylinux2014_aarch64"
# Where Lambda puts the code (LAMBDA_TASK_ROOT): the file names tracebacks show.
TASK_ROOT = "/var/task"
# What the handler imports beyond the standard library (pyproject's runtime dependencies
# less Dash, dash-cytoscape and gunicorn; flask comes with Dash there, so it is named here).
# openlineage-python: /lineage?format=openlineage (lineage.openlineage); with its own
# dependencies (attrs, httpx2, python-dateutil, ...) it adds about 7 MB unzipped, 2.5 MB
# zipped (52.2 MB and 26.7 MB in all).
REQUIREMENTS = ("boto3", "botocore", "flask", "flask-caching", "flask-limiter", "pyyaml",
                "redis", "openlineage-python")
# Our code, and what of it stays out of the function.
PACKAGES = ("lineage", "dashboard")
EXCLUDED = ("lineage/sandbox", "dashboard/ui", "dashboard/bench", "dashboard/assets",
            "dashboard/cli.py")
# Lambda's limits: the deployment package unzipped, and a zip uploaded directly.
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_ZIPPED_BYTES = 50 * 1024 * 1024
DEPS_STAMP = ".deps-stamp"
CODE_STAMP = ".code-stamp"
SIZES = ".sizes.json"
LOCK = ".lock"
# Raise when the build itself changes, so old folders are made again.
BUILD_VERSION = "1"


class PackageError(RuntimeError):
    """The package could not be built, or it is over Lambda's limits."""


@dataclass(frozen=True)
class Package:
    path: Path  # the folder the function's code is made from
    unzipped_bytes: int
    zipped_bytes: int
    reused: bool

    def describe(self) -> str:
        how = "reused" if self.reused else "built"
        return (f"Lambda package {how}: {self.path} ({_mb(self.unzipped_bytes)} unzipped, "
                f"{_mb(self.zipped_bytes)} zipped; limits {_mb(MAX_UNZIPPED_BYTES)} and "
                f"{_mb(MAX_ZIPPED_BYTES)})")


def requirements() -> list[str]:
    """Each dependency pinned to the version installed here, the one the tests ran with."""
    pinned = []
    for name in REQUIREMENTS:
        try:
            pinned.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pinned.append(name)
    return pinned


def build(out: Path = DEFAULT_OUT, force: bool = False) -> Package:
    """The package at ``out / "package"``, made again only where its inputs changed."""
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out / LOCK):
        package = out / "package"
        deps = _digest([BUILD_VERSION, LAMBDA_PYTHON, PLATFORM, *requirements()])
        code = _digest([BUILD_VERSION, deps, *_source_digests()])
        reused = not force and _stamp(out / DEPS_STAMP) == deps and package.is_dir()
        if not reused:
            _install_dependencies(package, out / DEPS_STAMP)
            (out / DEPS_STAMP).write_text(deps, encoding="utf-8")
        if (force or not reused or _stamp(out / CODE_STAMP) != code
                or not all((package / name).is_dir() for name in PACKAGES)):
            reused = False
            _copy_code(package, out / CODE_STAMP)
            (out / SIZES).unlink(missing_ok=True)
            (out / CODE_STAMP).write_text(code, encoding="utf-8")
        unzipped, zipped = _sizes(package, out / SIZES)
    result = Package(package, unzipped, zipped, reused)
    if unzipped > MAX_UNZIPPED_BYTES or zipped > MAX_ZIPPED_BYTES:
        raise PackageError(f"{result.describe()}: over Lambda's limits")
    return result


def _install_dependencies(package: Path, stamp: Path) -> None:
    stamp.unlink(missing_ok=True)
    if package.exists():
        shutil.rmtree(package)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-warn-conflicts", "--no-compile", "--no-user",
        "--platform", PLATFORM, "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
        "--only-binary=:all:", "--target", str(package), *requirements(),
    ]
    # The caller's pip settings (an index, a cache) apply; its target or prefix must not.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PYTHONPATH")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if "is ignored" not in line]
        raise PackageError("pip could not install the Lambda's dependencies "
                           f"({' '.join(requirements())}):\n" + "\n".join(lines[-20:]))
    # Console scripts with this machine's interpreter in their first line: useless there.
    shutil.rmtree(package / "bin", ignore_errors=True)
    _compile(package, [p for p in package.iterdir() if p.name not in PACKAGES])


def _copy_code(package: Path, stamp: Path) -> None:
    stamp.unlink(missing_ok=True)
    for name in PACKAGES:
        target = package / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(REPO / name, target, symlinks=False,
                        ignore=_ignore_excluded())
    _compile(package, [package / name for name in PACKAGES])


def _ignore_excluded() -> Callable[[str, list[str]], set[str]]:
    excluded = {REPO / item for item in EXCLUDED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {name for name in names
                if here / name in excluded or name == "__pycache__" or name.endswith(".pyc")}

    return ignore


def _compile(package: Path, paths: Sequence[Path]) -> None:
    """Bytecode beside the sources, only when this interpreter is the function's version
    (otherwise Lambda compiles at each cold start, as it would without)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != LAMBDA_PYTHON:
        return
    for path in paths:
        if path.is_dir():
            ok = compileall.compile_dir(
                path, quiet=2, workers=1,
                ddir=f"{TASK_ROOT}/{path.relative_to(package).as_posix()}",
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        elif path.suffix == ".py":
            ok = compileall.compile_file(
                path, quiet=2, ddir=TASK_ROOT,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        else:
            continue
        if not ok and path.name in PACKAGES:
            raise PackageError(f"{path.name}/ does not compile")


def _sizes(package: Path, cache: Path) -> tuple[int, int]:
    with contextlib.suppress(OSError, ValueError, KeyError):
        sizes = json.loads(cache.read_text(encoding="utf-8"))
        return int(sizes["unzipped"]), int(sizes["zipped"])
    files = sorted(p for p in package.rglob("*") if p.is_file())
    unzipped = sum(p.stat().st_size for p in files)
    # What CDK uploads: the folder zipped (deflate); counted, not kept.
    counter = _Counter()
    with zipfile.ZipFile(counter, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(package).as_posix())
    cache.write_text(json.dumps({"unzipped": unzipped, "zipped": counter.size}),
                     encoding="utf-8")
    return unzipped, counter.size


class _Counter(io.RawIOBase):
    """A write-only stream that counts what goes through it."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        size = memoryview(data).nbytes
        self.size += size
        return size


def _source_digests() -> Iterator[str]:
    excluded = tuple(REPO / item for item in EXCLUDED)
    for name in PACKAGES:
        for path in sorted((REPO / name).rglob("*")):
            if (not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc"
                    or any(path == ex or ex in path.parents for ex in excluded)):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            yield f"{path.relative_to(REPO).as_posix()}:{digest}"


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _stamp(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One build at a time in a folder (a test session and a synth may race)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"build folder (default {DEFAULT_OUT.relative_to(REPO)}); the "
                        "package is its package/ folder")
    parser.add_argument("--force", action="store_true", help="build again from scratch")
    args = parser.parse_args(argv)
    try:
        package = build(args.out, force=args.force)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(package.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
