# The web server (dashboard + JSON API) for production: gunicorn, settings from the environment.
#   docker build -t sagemaker-lineage .
#   docker run -p 8050:8050 -e AWS_REGION=ap-northeast-2 [-e CACHE_TYPE=RedisCache \
#       -e CACHE_REDIS_URL=redis://cache:6379/0] sagemaker-lineage
# Credentials come from the standard chain (instance/task role, AWS_* variables, a mounted
# profile); the role needs iam/lineage-readonly-policy.json. Every variable of
# dashboard/core/config.py and lineage/config.py works here as it does outside the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only runtime dependencies: the package and the Redis client (no sandbox, no test tools).
WORKDIR /src
COPY pyproject.toml README.md ./
COPY lineage ./lineage
COPY dashboard ./dashboard
COPY assets ./assets
RUN pip install '.[redis]' && rm -rf /src

RUN useradd --create-home --uid 10001 --user-group lineage
USER lineage
WORKDIR /home/lineage

ENV LINEAGE_HOST=0.0.0.0 \
    LINEAGE_PORT=8050 \
    LINEAGE_WORKERS=2 \
    LINEAGE_THREADS=8
EXPOSE 8050

# Readiness: /readyz answers 200 once a worker's AWS clients are warm and its cache was
# tried (it never calls AWS); /healthz is liveness only.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('LINEAGE_PORT', '8050') + '/readyz', timeout=4)"]

CMD ["gunicorn", "-c", "python:dashboard.server.gunicorn_conf", "dashboard.server.wsgi:server"]
