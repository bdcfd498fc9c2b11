"""The Lambda function's package (deploy/build_lambda.py): the engine and the JSON API only,
under Lambda's limits, importable from the folder alone, and reused while nothing changed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from deploy.build_lambda import MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES, Package, build

REPO = Path(__file__).resolve().parents[2]
# Neither the dashboard's pages nor the sandbox nor any test tool goes into the function.
ABSENT = ("dash", "dash_cytoscape", "plotly", "moto", "pytest", "hypothesis", "schemathesis",
          "gunicorn", "lineage/sandbox", "dashboard/ui", "dashboard/bench", "dashboard/assets",
          "dashboard/cli.py")
# What the handler needs beside our code.
PRESENT = ("boto3", "botocore", "flask", "flask_caching", "flask_limiter", "yaml", "redis",
           "lineage/aws.py", "lineage/schema", "dashboard/api/views.py", "dashboard/core")
HANDLER = REPO / "dashboard" / "aws_lambda.py"


def test_it_holds_the_engine_and_the_api_only(lambda_package: Package) -> None:
    folder = lambda_package.path
    for name in ABSENT:
        assert not (folder / name).exists(), name
    assert not list(folder.glob("dash-*.dist-info")) and not list(folder.glob("moto-*"))
    for name in PRESENT:
        assert (folder / name).exists(), name
    # Compiled for Lambda's read-only file system: bytecode beside each module.
    assert list((folder / "lineage" / "__pycache__").glob("service.cpython-3*.pyc"))


def test_it_is_well_under_lambdas_limits(lambda_package: Package) -> None:
    assert lambda_package.unzipped_bytes < MAX_UNZIPPED_BYTES / 2
    assert lambda_package.zipped_bytes < MAX_ZIPPED_BYTES
    assert "MB unzipped" in lambda_package.describe()


def test_a_second_build_reuses_the_first(lambda_package: Package) -> None:
    started = time.monotonic()
    again = build()
    assert again.reused and again.path == lambda_package.path
    assert (again.unzipped_bytes, again.zipped_bytes) == (
        lambda_package.unzipped_bytes, lambda_package.zipped_bytes)
    assert time.monotonic() - started < 5


def test_the_handler_imports_from_the_folder_alone(lambda_package: Package) -> None:
    assert HANDLER.exists()
    # -I: no site-packages, no PYTHONPATH, no current directory; only the package's folder.
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import dashboard.aws_lambda as m; "
        "print(json.dumps({'handler': callable(m.handler), 'file': m.__file__, "
        "'loaded': sorted({n.split('.')[0] for n in sys.modules})}))"
    )
    done = subprocess.run([sys.executable, "-I", "-c", probe, str(lambda_package.path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["handler"]
    assert answer["file"].startswith(str(lambda_package.path))
    assert not {"dash", "dash_cytoscape", "plotly", "moto", "gunicorn"} & set(answer["loaded"])
