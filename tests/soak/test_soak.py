"""The soak's short version (10 s) in ``make test``; ``make soak`` runs the 60 s one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.soak.soak import RSS_GROWTH_LIMIT_MB, WORKERS, run_soak

# Measures time or load: run alone, after the parallel run (make unit).
pytestmark = [pytest.mark.sandbox, pytest.mark.serial]

DURATION_SEC = 10


def test_ten_second_soak(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is not installed (.ci/run installs it)")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    result = run_soak(DURATION_SEC, tmp_path)
    print(result.report())
    assert result.error_count == 0, result.report()
    assert result.requests > 1000, result.report()  # it really was under load
    assert len(result.rss_mb) == WORKERS
    for pid in result.rss_mb:
        assert result.rss_growth_mb(pid) <= RSS_GROWTH_LIMIT_MB, result.report()
    assert result.worker_pids_before == result.worker_pids_after, "no worker died or recycled"
