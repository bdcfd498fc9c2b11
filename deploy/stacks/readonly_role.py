"""The role every deployed face runs as: ``iam/lineage-readonly-policy.json``, nothing else."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from constructs import Construct

from deploy.policy import load_policy, narrowed
from deploy.settings import BucketScope

# The inline policy's name: the read-only grants apart from anything a service adds.
POLICY_NAME = "LineageReadOnly"


class ReadOnlyRole(Construct):
    """A role for ``principal`` with the read-only policy as an inline policy, read from the
    repository's file at synth (its S3 resources narrowed to ``buckets`` if any)."""

    def __init__(self, scope: Construct, construct_id: str, *, principal: iam.IPrincipal,
                 buckets: Sequence[BucketScope] = (), description: str) -> None:
        super().__init__(scope, construct_id)
        document = narrowed(load_policy(), buckets)
        self.role = iam.Role(
            self, "Role",
            assumed_by=principal,
            description=description,
            inline_policies={POLICY_NAME: iam.PolicyDocument.from_json(document)},
        )
