"""The artifact panel's bucket settings say the exposure and retention ones too: the bucket
policy, lifecycle expiry, Object Lock and Macie's findings, each marked, and as text."""

from __future__ import annotations

from typing import Any

from dashboard.ui.components.panels import s3_settings

BASE: dict[str, Any] = {"encryption": "aws:kms", "versioning": "Enabled",
                        "publicAccess": "Blocked", "tags": {}}


def rows(s3: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Label -> (the value's words, its verdict class)."""
    out = {}
    for row in s3_settings(s3).children:
        label, value = row.children  # <dt>, <dd>
        shown = value.children
        out[label.children] = (getattr(shown, "children", shown),
                               getattr(shown, "className", ""))
    return out


def test_what_exposes_or_deletes_the_data_is_a_warning() -> None:
    shown = rows({**BASE, "publicPolicy": "Public", "objectLock": "Disabled",
                  "lifecycle": [{"prefix": "features/", "expirationDays": 30,
                                 "expirationDate": None, "noncurrentDays": None},
                                {"prefix": "", "expirationDays": None, "expirationDate": None,
                                 "noncurrentDays": 7}],
                  "sensitiveData": {"status": "Found", "findings": 3,
                                    "types": ["SensitiveData:S3Object/Personal"]}})
    assert shown["Bucket policy"] == ("\u26a0 public", "verdict verdict-warn")
    assert shown["Lifecycle"] == ("\u26a0 deletes under features/ after 30 days",
                                  "verdict verdict-warn")
    assert shown["Object Lock"] == ("Disabled", "verdict verdict-neutral")
    assert shown["Sensitive data"] == ("\u26a0 3 findings: Personal", "verdict verdict-warn")


def test_a_clean_or_unread_bucket_says_so() -> None:
    shown = rows({**BASE, "publicPolicy": "NotPublic", "lifecycle": [], "objectLock": "Enabled",
                  "sensitiveData": {"status": "NotEnabled", "findings": 0, "types": []}})
    assert shown["Bucket policy"][1] == "verdict verdict-ok"
    assert shown["Lifecycle"] == ("\u2713 nothing expires", "verdict verdict-ok")
    assert shown["Sensitive data"] == ("Macie is not enabled", "verdict verdict-neutral")
    unread = rows({**BASE, "publicPolicy": "Unknown", "lifecycle": None,
                   "sensitiveData": {"status": "Unknown", "findings": 0, "types": []}})
    assert {unread[k][1] for k in ("Bucket policy", "Lifecycle", "Sensitive data")} == {
        "verdict verdict-unknown"}
    assert "Bucket policy" not in rows(BASE)  # not read (an older answer): not shown
