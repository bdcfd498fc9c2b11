"""The server: the app factory, security headers, rate limits, the not-found answer, the
start-up checks behind ``/readyz``, and gunicorn (``serve``, ``gunicorn_conf``, ``wsgi``)."""
