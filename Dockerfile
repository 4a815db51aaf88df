# hcdb container image: a Release build on Debian 12, run on Debian 12 slim.
#
#   docker build -t hcdb .          (or: podman build --format docker -t hcdb .)
#   docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=secret -v hcdb-data:/var/lib/hcdb hcdb
#
# Environment (as in the official postgres image): POSTGRES_PASSWORD (or
# POSTGRES_PASSWORD_FILE), POSTGRES_USER and POSTGRES_DB (only "postgres" for
# now), POSTGRES_HOST_AUTH_METHOD, and every HCDB_* setting of the server.
# See deploy/docker-entrypoint.sh.

# ---- build stage --------------------------------------------------------------
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libuv1-dev libssl-dev libmimalloc-dev libxxhash-dev libpg-query-dev libprotobuf-c-dev libpcre2-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DHCDB_TESTS=OFF \
 && cmake --build /build --target hcdb -j "$(nproc)" \
 && install -D -m 0755 /build/hcdb /out/usr/local/bin/hcdb \
 && strip /out/usr/local/bin/hcdb
# The runtime stage installs exactly the Debian packages that own the shared
# libraries the binary links, so a new dependency needs no edit here.
RUN ldd /out/usr/local/bin/hcdb | awk '/=> \//{print $3}' | xargs -r readlink -f \
      | xargs -r dpkg -S | cut -d: -f1 | sort -u | grep -v '^libc6$' > /out/runtime-packages \
 && cat /out/runtime-packages

# ---- runtime stage ------------------------------------------------------------
FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages /tmp/runtime-packages
# postgresql-client: pg_isready for the HEALTHCHECK, psql for init scripts.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postgresql-client $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 999 hcdb \
 && useradd --system --uid 999 --gid hcdb --home-dir /var/lib/hcdb --shell /usr/sbin/nologin hcdb \
 && install -d -o hcdb -g hcdb -m 0700 /var/lib/hcdb \
 && install -d -m 0755 /docker-entrypoint-initdb.d
COPY --from=build /out/usr/local/bin/hcdb /usr/local/bin/hcdb
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

# Listen on every address of the container; the data directory is the volume.
ENV HCDB_LISTEN=* \
    HCDB_PORT=5432 \
    HCDB_DATA=/var/lib/hcdb
VOLUME /var/lib/hcdb
WORKDIR /var/lib/hcdb
USER hcdb
EXPOSE 5432
# SIGINT is the fast shutdown (SIGTERM the smart one, which waits for every client
# to leave); SIGINT matches the official postgres image and the systemd unit.
STOPSIGNAL SIGINT
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD pg_isready -q -h 127.0.0.1 -p "${HCDB_PORT:-5432}" -U postgres -d postgres -t 4 || exit 1
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["hcdb"]
