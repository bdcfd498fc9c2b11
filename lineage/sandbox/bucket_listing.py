"""S3's ``ListBuckets`` as AWS answers it: each bucket with its ``BucketRegion``.

moto lists the caller's buckets without the region AWS gives each of them (since 2024,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html) and ignores
``MaxBuckets``; the sandbox adds each bucket's region (moto's own record of where the bucket
was made) to moto's answer when the request has a parameter (AWS's rule), lists them in
name order and keeps to ``MaxBuckets``, with a ``ContinuationToken`` (the
last bucket listed) when more remain, as AWS does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def bucket_regions(account: str) -> dict[str, str]:
    """Every bucket of ``account`` in moto -> the region it was made in."""
    from moto.s3.models import s3_backends

    return {name: bucket.region_name
            for name, bucket in s3_backends[account]["global"].buckets.items()}


# AWS gives BucketRegion "if the request contains at least one valid parameter".
_PARAMETERS = ("max-buckets", "continuation-token", "prefix", "bucket-region")


def with_regions(body: bytes, regions: dict[str, str], query: str) -> bytes:
    """moto's ListBuckets XML with ``BucketRegion`` per bucket (when a parameter is given),
    at most ``MaxBuckets`` of them after ``ContinuationToken``."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not any(name in params for name in _PARAMETERS):
        return body
    ET.register_namespace("", _NS)
    root = ET.fromstring(body)
    listing = root.find(f"{{{_NS}}}Buckets")
    if listing is None:
        return body
    after = params.get("continuation-token") or ""
    try:
        most = int(params.get("max-buckets") or 0)
    except ValueError:
        most = 0
    # AWS lists buckets in the order of their names (moto in its own).
    buckets = sorted(listing, key=lambda item: item.findtext(f"{{{_NS}}}Name") or "")
    for bucket in buckets:
        listing.remove(bucket)
    shown = [b for b in buckets if (b.findtext(f"{{{_NS}}}Name") or "") > after]
    more = bool(most) and len(shown) > most
    for bucket in shown[:most] if most else shown:
        name = bucket.findtext(f"{{{_NS}}}Name") or ""
        if name in regions and bucket.find(f"{{{_NS}}}BucketRegion") is None:
            ET.SubElement(bucket, f"{{{_NS}}}BucketRegion").text = regions[name]
        listing.append(bucket)
    if more:
        last = shown[most - 1].findtext(f"{{{_NS}}}Name") or ""
        ET.SubElement(root, f"{{{_NS}}}ContinuationToken").text = last
    out: bytes = ET.tostring(root, xml_declaration=True, encoding="utf-8")
    return out


def list_buckets(
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    account: str,
) -> list[bytes]:
    """moto's answer to ``ListBuckets``, completed (see the module's text)."""
    captured: dict[str, Any] = {}

    def keep(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    query = str(environ.get("QUERY_STRING", ""))
    # moto cuts its own listing at max-buckets, in its order and without a token: it lists
    # them all here, and the cut is made as AWS makes it.
    whole = dict(environ, QUERY_STRING="")
    body = b"".join(app(whole, keep))
    if captured.get("status", "").startswith("200"):
        body = with_regions(body, bucket_regions(account), query)
    headers = [(k, v) for k, v in captured.get("headers", []) if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(captured.get("status", "500 Internal Server Error"), headers)
    return [body]
