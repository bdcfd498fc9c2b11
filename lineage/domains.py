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


def domain_arn_id(arn: str) -> str | None:
    """The domain id of a ``sagemaker:domain-arn`` tag (``arn:...:domain/d-xxxx``)."""
    _, _, tail = arn.partition(":domain/")
    return tail or None


def matched_domain(
    tags: Mapping[str, str] | None, domains: Sequence[Mapping[str, Any]] | None
) -> Mapping[str, Any] | None:
    """The listed domain (``ListDomains``' entry) the tags link a pipeline to, if any:
    ``DomainId`` first, then ``DomainName``, then ``sagemaker:domain-arn`` (the order the
    sibling API decides in). The same rule as :func:`domain_matches`, asked the other way."""
    if not tags or not domains:
        return None
    by_id = {item.get("DomainId"): item for item in domains if item.get("DomainId")}
    by_name = {item.get("DomainName"): item for item in domains if item.get("DomainName")}
    found = by_id.get(tags.get("DomainId")) or by_name.get(tags.get(DOMAIN_NAME_TAG))
    if found is None and tags.get("sagemaker:domain-arn"):
        found = by_id.get(domain_arn_id(tags["sagemaker:domain-arn"]))
    return found


def domain_named(
    name: str, domains: Sequence[Mapping[str, Any]] | None
) -> Mapping[str, Any] | None:
    """The listed domain called ``name``."""
    return next((item for item in domains or () if item.get("DomainName") == name), None)


def has_domain_tags(tags: Mapping[str, str] | None) -> bool:
    """Whether the tags link to a domain at all (only then is ``ListDomains`` worth asking)."""
    if not tags:
        return False
    return any(tags.get(key) for key in (DOMAIN_NAME_TAG, "DomainId", "sagemaker:domain-arn"))
