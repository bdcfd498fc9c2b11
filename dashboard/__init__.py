"""The web side: the JSON API, the dashboard, and the server that serves both.

Rooms, arrows pointing down only (import-linter holds them, see pyproject.toml)::

    cli, bench      the `sagemaker-lineage` command and the benchmark
    server          the app factory, security headers, limits, readiness, gunicorn
    ui | api        the Dash dashboard | the JSON API (no Dash: a Lambda can serve it)
    core            what both faces serve from: settings, the cached service, request ids
"""
