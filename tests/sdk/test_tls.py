"""HTTPS (`--tls`): the official clients reach the emulator over TLS, verifying the CA it made
at start (never with verification turned off); `healthcheck` speaks TLS too."""

import json
import socket
import ssl
import subprocess
import time
import urllib.request

import openstack
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest,
    GaussDBClient,
    MysqlCreateBackupRequest,
)
from otcextensions import sdk

from conftest import AK, BINARY, DOMAIN, FIXTURES, INSTANCE, PASSWORD, PROJECT, SK, USER

NAME = "gaussdb.eu-de.example"


def start_tls(tmp_path, *args):
    """An emulator serving HTTPS in strict auth, with these options besides: (process, base
    URL, CA file)."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(FIXTURES))
    ca = tmp_path / "ca.pem"
    process = subprocess.Popen(
        [str(BINARY), "--port", "0", "--tls", "--tls-hostname", NAME, "--tls-ca-out", str(ca),
         "--auth", "strict", "--fixtures", str(fixtures), "--automated-backups", "false", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("taurusdb-emulator listening on https://127.0.0.1:"), line
    return process, line.strip().rsplit(" ", 1)[1], ca


def stop(process):
    process.terminate()
    assert process.wait(timeout=10) == 0


@pytest.fixture
def tls(tmp_path):
    """An emulator serving HTTPS in strict auth: (base URL, CA file)."""
    process, base, ca = start_tls(tmp_path)
    yield base, ca
    stop(process)


def test_a_zero_request_timeout_still_gives_the_handshake_time(tmp_path):
    # Before: `--request-timeout 0s` (or 1ms) with --tls started, then failed every handshake.
    # And the first request after the handshake gets it too: a client can send it only once
    # the handshake is done (before, a loaded machine's client was often too late).
    process, base, ca = start_tls(tmp_path, "--request-timeout", "0s")
    try:
        assert json.loads(get(f"{base}/_emulator/health", ca)) == {"status": "ok"}
        context = ssl.create_default_context(cafile=str(ca))
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=NAME) as conn:
                time.sleep(0.3)  # a slow client, within the handshake's floor of 1 s
                conn.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert conn.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        stop(process)


def test_connections_still_in_the_handshake_count_against_the_cap(tmp_path):
    # Before: 100 sockets that never send a ClientHello were all held until the handshake's
    # timeout (here 30 s), whatever --max-connections said.
    process, base, ca = start_tls(tmp_path, "--max-connections", "16", "--request-timeout", "30s")
    port = int(base.rsplit(":", 1)[1])
    sockets = []
    try:
        for _ in range(100):
            sockets.append(socket.create_connection(("127.0.0.1", port)))
        # A health check finds a place (an idle one is closed for it) and is answered.
        assert json.loads(get(f"{base}/_emulator/health", ca)) == {"status": "ok"}
        # The server closed all but the newest: most of the idle sockets read their end well
        # before the handshake's timeout would have closed them.
        deadline = time.monotonic() + 10
        closed = 0
        for s in sockets:
            s.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                closed += s.recv(1) == b""
            except (socket.timeout, ConnectionResetError):
                pass
            if closed >= 84:
                break
        assert closed >= 84, f"only {closed} of 100 idle handshakes were closed"
    finally:
        for s in sockets:
            s.close()
        stop(process)


def get(url, ca):
    context = ssl.create_default_context(cafile=str(ca))
    with urllib.request.urlopen(url, context=context, timeout=10) as response:
        return response.read()


def test_the_ca_is_served_and_written_and_verifies_the_server(tls):
    base, ca = tls
    assert get(f"{base}/_emulator/tls/ca.pem", ca).decode() == ca.read_text()
    assert json.loads(get(f"{base}/_emulator/health", ca)) == {"status": "ok"}
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(f"{base}/_emulator/health", timeout=10)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)


def test_the_certificate_holds_every_tls_hostname(tls):
    base, ca = tls
    port = int(base.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=str(ca))
    for name in [NAME, "localhost"]:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=name) as secured:
                assert secured.version() in ("TLSv1.2", "TLSv1.3")


def test_the_huawei_sdk_signs_and_verifies_over_https(tls):
    base, ca = tls
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = False
    config.ssl_ca_cert = str(ca)
    client = (
        GaussDBClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([base])
        .build()
    )
    body = MysqlCreateBackupRequest(instance_id=INSTANCE, name="over-tls")
    created = client.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body))
    assert created.status_code == 201 and created.backup.status == "BUILDING"


def test_otcextensions_authenticates_against_the_iam_over_https(tls):
    base, ca = tls
    conn = openstack.connect(
        auth_type="password",
        auth={"auth_url": f"{base}/v3", "username": USER, "password": PASSWORD,
              "user_domain_name": DOMAIN, "project_id": PROJECT},
        cacert=str(ca), verify=True, load_yaml_config=False, load_envvars=False,
    )
    sdk.register_otc_extensions(conn)
    response = conn.gaussdb.get("/backups")
    assert response.status_code == 200 and response.json()["total_count"] == 0


def test_healthcheck_speaks_tls_and_trusts_only_the_certificate_it_is_given(tls, tmp_path):
    base, ca = tls
    url = f"{base}/_emulator/health"
    assert subprocess.run([str(BINARY), "healthcheck", "--url", url, "--ca", str(ca)]).returncode == 0
    other = tmp_path / "other.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=other", "-keyout", str(tmp_path / "other.key"),
                    "-out", str(other)], check=True, capture_output=True)
    wrong = subprocess.run([str(BINARY), "healthcheck", "--url", url, "--ca", str(other)],
                           capture_output=True, text=True)
    assert wrong.returncode == 1 and "certificate" in wrong.stderr.lower(), wrong.stderr


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def test_a_given_certificate_and_key_are_served(tmp_path):
    # A CA of the user's, and a server certificate it signed: the chain file is --tls-cert.
    ca_key, ca, key, csr, leaf = (tmp_path / n for n in ("ca.key", "ca.pem", "key.pem", "csr.pem", "leaf.pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "1", "-subj", "/CN=user CA", "-keyout", str(ca_key), "-out", str(ca))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(csr))
    extensions = tmp_path / "ext.cnf"
    extensions.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "1", "-extfile", str(extensions), "-out", str(leaf))
    chain = tmp_path / "chain.pem"
    chain.write_text(leaf.read_text() + ca.read_text())
    process = subprocess.Popen(
        [str(BINARY), "--port", "0", "--tls-cert", str(chain), "--tls-key", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        base = process.stdout.readline().strip().rsplit(" ", 1)[1]
        assert base.startswith("https://")
        assert get(f"{base}/_emulator/tls/ca.pem", ca).decode() == chain.read_text()
        port = base.rsplit(":", 1)[1]
        # The health check trusts --tls-cert's chain by default, as inside an image that sets it.
        check = subprocess.run([str(BINARY), "healthcheck"], capture_output=True, text=True,
                               env={"TAURUSDB_EMULATOR_PORT": port,
                                    "TAURUSDB_EMULATOR_TLS_CERT": str(chain)})
        assert check.returncode == 0, check.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_healthcheck_of_its_own_loopback_needs_no_certificate(tls):
    # Before: without a CA file it exited 1 ("an https:// URL needs the certificate to
    # trust"), so an image with TLS turned on by its environment was never healthy.
    base, _ = tls
    port = base.rsplit(":", 1)[1]
    env = {"TAURUSDB_EMULATOR_PORT": port, "TAURUSDB_EMULATOR_TLS": "true"}
    done = subprocess.run([str(BINARY), "healthcheck"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # A stopped server is still unhealthy.
    env["TAURUSDB_EMULATOR_PORT"] = str(free_port())
    done = subprocess.run([str(BINARY), "healthcheck"], env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "cannot connect" in done.stderr, done.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
