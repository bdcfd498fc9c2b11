# The web server (dashboard + JSON API) for production: nginx in front of gunicorn.
#   docker build -t sagemaker-lineage .
#   docker run -p 8050:8050 -e AWS_REGION=ap-northeast-2 [-e CACHE_TYPE=RedisCache \
#       -e CACHE_REDIS_URL=redis://cache:6379/0] sagemaker-lineage
#   (or `docker compose up`: compose.yaml adds the Redis cache)
# Credentials come from the standard chain (instance/task role, AWS_* variables, a mounted
# profile); the role needs iam/lineage-readonly-policy.json. Every variable of
# dashboard/core/config.py and lineage/config.py works here as it does outside the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian's nginx (the light module set; bookworm's nginx-light only adds the echo module and
# is gone from trixie) buffers every request whole before gunicorn sees it: slow clients cost
# it a few KiB, never a gunicorn thread (deploy/nginx/nginx.conf.template says how).
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

# Only runtime dependencies: the package and the Redis client (no sandbox, no test tools).
WORKDIR /src
COPY pyproject.toml README.md ./
COPY lineage ./lineage
COPY dashboard ./dashboard
COPY assets ./assets
RUN pip install '.[redis]' && rm -rf /src

# The entrypoint renders nginx's configuration from the template beside it.
COPY deploy/entrypoint.py /opt/sagemaker-lineage/entrypoint.py
COPY deploy/nginx/nginx.conf.template /opt/sagemaker-lineage/nginx/nginx.conf.template

RUN useradd --create-home --uid 10001 --user-group lineage
USER lineage
WORKDIR /home/lineage

# nginx on 8050 (published); gunicorn on loopback 8060, the health listener on 8061 (its
# probes never wait for the request threads); the app believes one proxy hop: nginx's.
ENV LINEAGE_PROXY_PORT=8050 \
    LINEAGE_PORT=8060 \
    LINEAGE_HEALTH_PORT=8061 \
    LINEAGE_TRUSTED_PROXIES=1 \
    LINEAGE_WORKERS=2 \
    LINEAGE_THREADS=8
EXPOSE 8050

# Readiness: /readyz answers 200 once a worker's AWS clients are warm and its cache was tried
# (it never calls AWS); /healthz is liveness only. Asked on the health listener's port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('LINEAGE_HEALTH_PORT', '8061') + '/readyz', timeout=4)"]

# gunicorn and nginx, stopped together (SIGTERM: both gracefully; either exiting: the other).
CMD ["python", "/opt/sagemaker-lineage/entrypoint.py"]
