# syntax=docker/dockerfile:1
# divergenced container image.
#   make image        build it with podman (deploy/image.sh; makes the base locally)
#   make image-test   build, run and check it (deploy/image_test.sh)
# Plain `docker build -t divergenced .` / `podman build --format docker .` work too
# wherever debian:bookworm-slim can be pulled.

# ---- build stage: compiler + headers, runs the project's own Makefile -------------
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev make pkg-config libmicrohttpd-dev python3 python3-yaml \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION ./
COPY .ci/deps.sh .ci/
COPY api/ api/
COPY src/ src/
# DEPS=0: the packages are installed above, the Makefile must not try apt itself.
RUN make DEPS=0 -j"$(nproc)" \
 && ./build/divergenced --version \
 && install -D -s -m 0755 build/divergenced /out/divergenced

# ---- runtime stage: the two runtime libraries, the binary, a non-root user --------
FROM debian:bookworm-slim
ARG VERSION=0.0.0
ARG UID=10001
ARG GID=10001
LABEL org.opencontainers.image.title="divergenced" \
      org.opencontainers.image.description="HTTP/JSON service for entropy, cross-entropy, KL and JS divergences" \
      org.opencontainers.image.version="${VERSION}"
ENV DEBIAN_FRONTEND=noninteractive
# Only the shared library the binary links (libmicrohttpd; libc and libm are in the
# base); then no apt lists, caches, docs or logs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmicrohttpd12 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old \
           /var/log/apt /var/log/dpkg.log /var/log/alternatives.log \
           /usr/share/doc/* /usr/share/man/* /usr/share/info/* \
 && groupadd --system --gid "${GID}" divergenced \
 && useradd --system --uid "${UID}" --gid "${GID}" --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin divergenced
COPY --from=build /out/divergenced /usr/local/bin/divergenced
# Configuration is the DIVERGENCED_* environment (flags given as CMD arguments win).
# An API key: mount a file and set DIVERGENCED_API_KEY_FILE to its path.
ENV DIVERGENCED_BIND=0.0.0.0 \
    DIVERGENCED_PORT=8080 \
    DIVERGENCED_LOG_FORMAT=json \
    DIVERGENCED_LOG_LEVEL=info \
    DIVERGENCED_SHUTDOWN_GRACE=10
USER ${UID}:${GID}
WORKDIR /
EXPOSE 8080
# SIGTERM: /readyz turns 503, in-flight requests finish (≤ shutdown grace), exit 0.
STOPSIGNAL SIGTERM
# The binary's own probe mode: GET http://127.0.0.1:$DIVERGENCED_PORT/healthz, exit 0/1.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/divergenced", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/divergenced"]
