"""``sagemaker-lineage bench``: the performance benchmark (``make bench``).

:mod:`dashboard.bench.figures` holds the pure parts (bounds, minimum AWS calls, percentiles,
the table, the generated 1,000-step definition); :mod:`dashboard.bench.runner` starts a
sandbox and servers and measures; :mod:`dashboard.bench.load` and :mod:`dashboard.bench.browser`
drive HTTP load and headless Chromium.
"""
