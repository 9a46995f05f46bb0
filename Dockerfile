# launchguard: the daemon (`launchguard run`) in a slim, non-root image (docs/operations.md).
#
#   docker build -t launchguard:0.1.0 .
#   docker run -d -p 127.0.0.1:9464:9464 \
#     -v ./launch.yaml:/etc/launchguard/launch.yaml:ro -v launchguard-journal:/var/lib/launchguard \
#     -e LAUNCHGUARD_JOURNAL_KEY -e LAUNCHGUARD_API_TOKEN \
#     launchguard:0.1.0 --prometheus http://prometheus:9090 --alertmanager http://alertmanager:9093
#
# The base is pinned by tag and by the digest of its multi-architecture index; bump both
# together. Only the runtime dependencies of pyproject.toml are installed (no [test] extra).

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

# ---- build: a virtualenv holding launchguard and its runtime dependencies
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml ./
COPY daemon/ daemon/
RUN python -m venv /opt/launchguard \
    && /opt/launchguard/bin/pip install --no-cache-dir . \
    && /opt/launchguard/bin/launchguard --version

# ---- runtime: the virtualenv, the shipped config, a non-root user
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="launchguard" \
      org.opencontainers.image.description="Launch-guarding SLO daemon for a staged launch" \
      org.opencontainers.image.version="0.1.0"
RUN groupadd --system --gid 10001 launchguard \
    && useradd --system --uid 10001 --gid launchguard --no-create-home \
       --home-dir /var/lib/launchguard --shell /usr/sbin/nologin launchguard \
    && install -d -o launchguard -g launchguard -m 0750 /var/lib/launchguard \
    && install -d -m 0755 /etc/launchguard
COPY --from=build /opt/launchguard /opt/launchguard
# The shipped defaults; mount your own launch.yaml over it (or the whole directory).
COPY daemon/launchguard/config/defaults/launch.yaml /etc/launchguard/launch.yaml
ENV PATH=/opt/launchguard/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LAUNCHGUARD_CONFIG=/etc/launchguard/launch.yaml \
    LAUNCHGUARD_SERVER__LISTEN=0.0.0.0:9464 \
    LAUNCHGUARD_JOURNAL__PATH=/var/lib/launchguard/journal.sqlite
VOLUME ["/etc/launchguard", "/var/lib/launchguard"]
WORKDIR /var/lib/launchguard
USER 10001:10001
EXPOSE 9464
# No curl in the slim image: the probe is Python's urllib on the port of server.listen.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('LAUNCHGUARD_SERVER__LISTEN', ':9464').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
ENTRYPOINT ["launchguard", "run"]
CMD []
