# syntax=docker/dockerfile:1
# Build a statically linked binary (glibc static-pie) for the builder's own architecture
# (linux/amd64 or linux/arm64), then ship it alone. tests/docker replays the last stage
# without Docker: an empty root, user 65534, this ENV, the HEALTHCHECK run in exec form.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
COPY scripts/static-build ./scripts/static-build
RUN scripts/static-build --out /taurusdb-emulator

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
