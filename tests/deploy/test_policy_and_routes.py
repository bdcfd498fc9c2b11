"""The pure halves of the stacks: the role's policy from iam/ (narrowed to named buckets) and
the API's routes from its OpenAPI document."""

from __future__ import annotations

from flask import Flask

from dashboard.api.views import bp
from deploy.policy import actions, load_policy, narrowed
from deploy.routes import UNCACHEABLE, api_routes
from deploy.settings import BucketScope


def resources(policy: dict[str, object], sid: str) -> list[str]:
    for statement in policy["Statement"]:  # type: ignore[attr-defined]
        if statement["Sid"] == sid:
            listed = statement["Resource"]
            return [listed] if isinstance(listed, str) else list(listed)
    raise AssertionError(sid)


def test_no_buckets_named_is_the_file_itself() -> None:
    assert narrowed(load_policy(), ()) == load_policy()


def test_named_buckets_narrow_only_the_s3_resources() -> None:
    policy = narrowed(load_policy(), (BucketScope("features"),
                                      BucketScope("reports", "evaluations/")))
    assert resources(policy, "S3BucketSettingsRead") == [
        "arn:aws:s3:::features", "arn:aws:s3:::reports"]
    assert resources(policy, "EvaluationReportsReadOptional") == [
        "arn:aws:s3:::features/*", "arn:aws:s3:::reports/evaluations/*"]
    # Everything else as the file has it: the same actions, SageMaker's resources untouched.
    assert actions(policy) == actions(load_policy())
    assert resources(policy, "SageMakerPipelinesRead") == ["*"]
    assert resources(policy, "AssumeAccountReadOnlyRolesOptional") == \
        resources(load_policy(), "AssumeAccountReadOnlyRolesOptional")


def test_one_bucket_is_one_resource() -> None:
    policy = narrowed(load_policy(), (BucketScope("features", "x/"),))
    statement = next(s for s in policy["Statement"] if s["Sid"] == "S3BucketSettingsRead")
    assert statement["Resource"] == "arn:aws:s3:::features"


def test_the_routes_are_the_blueprints_gets() -> None:
    app = Flask(__name__)
    app.register_blueprint(bp)
    served = {rule.rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and "GET" in (rule.methods or ())}
    routes = api_routes()
    assert {route.path for route in routes} == served
    lineage = next(route for route in routes if route.path == "/lineage")
    assert lineage.part == "lineage"
    assert set(lineage.query) == {"pipeline", "region", "includeLatestExec", "domain",
                                  "execution", "view", "format", "refresh"}
    # The sibling API's routes are nested: /lineage/by-domain and /lineage/schema sit under
    # /lineage.
    nested = {route.part for route in routes if "/" in route.part}
    assert nested == {"lineage/by-domain", "lineage/schema", "sagemaker/pipelines"}
    schema = {route.path: route.query for route in routes if route.path.endswith("schema")}
    assert schema["/schema"] == schema["/lineage/schema"] == (
        "pipeline", "region", "include_featurestore", "include_sql", "scan_if_missing",
        "refresh")
    assert {route.path for route in routes if not route.cacheable} == UNCACHEABLE
