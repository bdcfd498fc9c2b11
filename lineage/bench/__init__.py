"""``sagemaker-lineage bench``: the performance benchmark of issue 5 (``make bench``).

:mod:`lineage.bench.figures` holds the pure parts (bounds, minimum AWS calls, percentiles,
the table, the generated 1,000-step definition); :mod:`lineage.bench.runner` starts a
sandbox and servers and measures; :mod:`lineage.bench.load` and :mod:`lineage.bench.browser`
drive HTTP load and headless Chromium.
"""
