"""The production app with the dashboard, for the browser test of the CSP (gunicorn serves it).

``CSP_TEST_DROP_HASHES=1`` leaves Dash's inline-script hashes out of the policy: the control
that proves the browser test can tell a working page from a blocked one.
"""

from __future__ import annotations

import os

from dashboard.server.app import create_app

app = create_app()
if os.environ.get("CSP_TEST_DROP_HASHES") == "1":
    app.csp_hashes = lambda hash_algorithm="sha256": []  # type: ignore[method-assign]
server = app.server
