"""What both faces (the API and the dashboard) serve from; no Dash here.

``config`` (web settings from the environment), ``cache`` (the memoised lineage service),
``state`` (what a running app holds), ``requests`` (request ids, the JSON access log).
"""
