"""Which Studio domain a pipeline belongs to: the rule of the ``domain`` parameter (pure).

Studio links a pipeline to its domain through tags: ``DomainName`` names it, or ``DomainId`` /
``sagemaker:domain-arn`` point at a domain that ``ListDomains`` names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DOMAIN_NAME_TAG = "DomainName"
DOMAIN_ID_TAGS = ("DomainId", "sagemaker:domain-arn")


def needs_domain_list(tags: Mapping[str, str]) -> bool:
    """Whether deciding needs ``ListDomains``: the tags point at a domain by id only."""
    return any(tags.get(key) for key in DOMAIN_ID_TAGS)


def domain_matches(
    tags: Mapping[str, str], domain: str, domains: Sequence[Mapping[str, Any]] | None
) -> bool:
    """Tag ``DomainName=domain``, or a ``DomainId``/ARN tag naming a domain of that name."""
    if tags.get(DOMAIN_NAME_TAG) == domain:
        return True
    linked = {tags[key] for key in DOMAIN_ID_TAGS if tags.get(key)}
    for item in domains or ():
        ids = {item.get("DomainId"), item.get("DomainArn")}
        if item.get("DomainName") == domain and linked & ids:
            return True
    return False
