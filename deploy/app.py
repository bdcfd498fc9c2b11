"""The CDK app: ``cdk deploy LineageApiStack`` (the JSON API on Lambda, as the seed deployed
it) and ``cdk deploy LineageDashboardStack`` (the dashboard's image behind HTTPS).

Run by the CDK CLI from this folder (``cdk.json``: ``python app.py``, the project's venv
active; ``make deploy-api`` does both). Context values are checked first
(``deploy/settings.py``): a bad one prints one line and exits 2, before anything is built.
The API stack's values stop every synth; the dashboard stack's only a synth or deploy that
selects that stack (the API deploys whatever the dashboard's context says).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.settings import (  # noqa: E402
    API_STACK,
    DASHBOARD_STACK,
    ContextError,
    api_settings,
    check_keys,
    dashboard_settings,
    target,
)

NODE_MISSING = ("error: the CDK app runs on node, which is not installed "
                "(Debian: apt-get install nodejs; .ci/run installs it)")


def quiet_node_banner(env: dict[str, str] | os._Environ[str]) -> None:
    """jsii warns in a box of a dozen lines on every run when node is past its end of life
    (Debian's Node 20); the warning is for jsii's maintainers, not our users' output."""
    if "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" in env:
        return
    node = shutil.which("node")
    if node is None:
        return
    done = subprocess.run([node, "-p", "process.versions.node.split('.')[0]"],
                          capture_output=True, text=True, check=False)
    if done.returncode == 0 and done.stdout.strip().isdigit():
        env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = done.stdout.strip()
    env.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def lambda_code(package: Path | None) -> Path:
    """The function's folder: ``lambdaPackage`` as given, else the build script's, built
    or reused (its stamps say whether anything changed)."""
    if package is not None:
        return package
    from deploy.build_lambda import build

    built = build()
    print(built.describe(), file=sys.stderr)
    return built.path


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None,
              env: Mapping[str, str] | None = None) -> Any:
    """The app with its two stacks (``context`` adds to the CLI's; tests synth in-process).
    Raises :class:`ContextError` for a bad value of the API stack."""
    import aws_cdk as cdk

    from deploy.stacks.api_stack import LineageApiStack
    from deploy.stacks.dashboard_stack import LineageDashboardStack

    # No stack traces in the metadata: an error annotation is one line, not a jsii trace.
    app = cdk.App(context=dict(context or {}), outdir=outdir, stack_traces=False)
    given: dict[str, Any] = app.node.get_all_context()
    check_keys(given)
    where = target(given, os.environ if env is None else env)
    environment = cdk.Environment(account=where.account, region=where.region)
    api = api_settings(given, where)
    LineageApiStack(app, API_STACK, settings=api, code=lambda_code(api.lambda_package),
                    env=environment,
                    description="SageMaker Lineage JSON API: API Gateway (REST, prod) + Lambda")
    try:
        dashboard = dashboard_settings(given, where)
    except ContextError as exc:
        # Only a synth that selects this stack fails (the CLI checks the stacks it deploys).
        stack = cdk.Stack(app, DASHBOARD_STACK, env=environment)
        cdk.Annotations.of(stack).add_error(str(exc))
    else:
        LineageDashboardStack(app, DASHBOARD_STACK, settings=dashboard, env=environment,
                              description="SageMaker Lineage dashboard behind HTTPS")
    return app


def precheck(env: Mapping[str, str]) -> None:
    """The API stack's values from the context the CLI hands over (``CDK_CONTEXT_JSON``),
    checked before jsii starts node: a bad one fails in a second. ``build_app`` checks the
    same again on the app's own context (the source of truth, also without the CLI)."""
    raw = env.get("CDK_CONTEXT_JSON")
    if not raw:
        return
    try:
        context = json.loads(raw)
    except ValueError:
        return
    if isinstance(context, dict):
        check_keys(context)
        api_settings(context, target(context, env))


def main() -> int:
    if shutil.which("node") is None:
        print(NODE_MISSING, file=sys.stderr)
        return 2
    quiet_node_banner(os.environ)
    from deploy.build_lambda import PackageError

    try:
        precheck(os.environ)
        app = build_app()
    except ContextError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
