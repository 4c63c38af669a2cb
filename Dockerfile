# Build a statically linked binary (glibc, static-pie), then ship it alone.
# scripts/static-build runs the same build outside Docker and checks the result.
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
ENV RUSTFLAGS="-C target-feature=+crt-static"
RUN cargo build --release --locked --target x86_64-unknown-linux-gnu --bin taurusdb-emulator \
 && cp target/x86_64-unknown-linux-gnu/release/taurusdb-emulator /taurusdb-emulator

FROM scratch
LABEL org.opencontainers.image.title="taurusdb-emulator" \
      org.opencontainers.image.description="Local emulator of the Open Telekom Cloud TaurusDB backup API" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /taurusdb-emulator /taurusdb-emulator
ENV TAURUSDB_EMULATOR_HOST=0.0.0.0 \
    TAURUSDB_EMULATOR_PORT=18080
EXPOSE 18080
USER 65534:65534
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=3 \
    CMD ["/taurusdb-emulator", "healthcheck"]
ENTRYPOINT ["/taurusdb-emulator"]
