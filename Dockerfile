# Build a statically linked binary, then ship it alone.
FROM rust:1.88-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
RUN cargo build --release --locked

FROM scratch
LABEL org.opencontainers.image.title="taurusdb-emulator" \
      org.opencontainers.image.description="Local emulator of the Open Telekom Cloud TaurusDB backup API" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /src/target/release/taurusdb-emulator /taurusdb-emulator
ENV TAURUSDB_EMULATOR_HOST=0.0.0.0 \
    TAURUSDB_EMULATOR_PORT=18080
EXPOSE 18080
USER 65534:65534
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=3 \
    CMD ["/taurusdb-emulator", "healthcheck"]
ENTRYPOINT ["/taurusdb-emulator"]
