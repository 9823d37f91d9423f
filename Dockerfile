# Herald container image: build with cargo-chef so dependencies cache apart from our code,
# run as a non-root user on a slim Debian with CA certificates.

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY --from=planner /src/recipe.json recipe.json
# The recipe keeps only our own manifest: the crates `[patch.crates-io]` takes from `vendor/` must
# be there in full before the dependencies build.
COPY vendor vendor
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin herald

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin herald \
 && mkdir -p /data && chown herald:herald /data
COPY --from=builder /src/target/release/herald /usr/local/bin/herald
USER herald
ENV HERALD_LISTEN=0.0.0.0:8080 \
    HERALD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["herald", "healthcheck"]
ENTRYPOINT ["herald"]
CMD ["serve"]
