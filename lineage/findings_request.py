"""The request of a findings report and the validation of its parameters (pure).

``GET /findings?region=R[&pipeline=P[&execution=E]][&severity=S][&format=json|csv]`` and
``sagemaker-lineage audit``. With ``pipeline`` the report is of that pipeline's lineage
document, and its parameters are ``/lineage``'s (one region, ``domain``, ``execution``);
without, of the estate, and they are ``/estate``'s (``region`` one, a list or ``all``,
``account``, ``domain``, ``depth``). Like :mod:`lineage.request`, the parser raises
:class:`InvalidParameter` naming the first bad parameter and never repeats a value it refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lineage.config import Settings
from lineage.errors import InvalidParameter
from lineage.estate_request import EstateRequest, parse_estate_request
from lineage.policy import SEVERITIES
from lineage.request import LineageRequest, parse_lineage_request, text_parameter

FORMATS = ("json", "csv")
# The estate's own parameters: a pipeline's document has no account or depth to choose.
ESTATE_ONLY = ("account", "depth")


@dataclass(frozen=True)
class FindingsRequest:
    """Exactly one of ``lineage`` (a pipeline's document) and ``estate``."""

    lineage: LineageRequest | None = None
    estate: EstateRequest | None = None
    severity: str | None = None  # only findings of this severity or above
    format: str | None = None  # json | csv; None: as the client accepts (the API), else json

    @property
    def regions(self) -> tuple[str, ...]:
        if self.lineage is not None:
            return (self.lineage.region,)
        return self.estate.regions if self.estate is not None else ()

    def scope(self) -> dict[str, Any]:
        """What the report covers, as its JSON says it."""
        if self.lineage is not None:
            return {"regions": [self.lineage.region], "pipeline": self.lineage.pipeline,
                    "execution": self.lineage.execution, "domain": self.lineage.domain}
        assert self.estate is not None
        return {"regions": list(self.estate.regions), "account": self.estate.account,
                "domain": self.estate.domain, "depth": self.estate.depth}


def parse_findings_request(
    params: Mapping[str, str | None],
    *,
    settings: Settings,
    regions: Collection[str],
    offered: Sequence[str],
) -> FindingsRequest:
    """``pipeline`` as ``/lineage`` takes it (then ``region`` is one region, and ``account``
    and ``depth`` are refused), else the estate's parameters as ``/estate`` takes them;
    ``severity`` one of :data:`lineage.policy.SEVERITIES`; ``format`` json or csv."""
    pipeline = text_parameter(params, "pipeline")
    lineage: LineageRequest | None = None
    estate: EstateRequest | None = None
    if pipeline is not None:
        region = text_parameter(params, "region")
        if region is not None and ("," in region or region.strip().lower() == "all"):
            raise InvalidParameter("region", "with pipeline, region must be one region")
        lineage = parse_lineage_request(
            {"pipeline": pipeline, "region": region, "domain": params.get("domain"),
             "execution": params.get("execution")},
            settings=settings, regions=regions,
        )
        for name in ESTATE_ONLY:
            if text_parameter(params, name) is not None:
                raise InvalidParameter(name, f"{name} is the estate's: leave it out with "
                                       "pipeline")
    else:
        if text_parameter(params, "execution") is not None:
            raise InvalidParameter("execution", "execution needs pipeline")
        estate = parse_estate_request(params, settings=settings, regions=regions,
                                      offered=offered)
    severity = text_parameter(params, "severity")
    if severity is not None and severity not in SEVERITIES:
        raise InvalidParameter("severity", f"severity must be one of {', '.join(SEVERITIES)}")
    form = text_parameter(params, "format")
    if form is not None and form not in FORMATS:
        raise InvalidParameter("format", f"format must be one of {', '.join(FORMATS)}")
    return FindingsRequest(lineage, estate, severity, form)
