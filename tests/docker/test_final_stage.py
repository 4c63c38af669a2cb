"""The image, proven without a Docker engine: the build stage's own script builds the binary,
and the last stage — read from the Dockerfile itself — runs in an empty root as Docker runs
it (see container.py). Whatever the binary needs from a filesystem shows up here."""

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from container import DOCKER_DEVICES, Container
from dockerfile import ROOT, build_stage_runs, final_stage

PROJECT = "619d3e78f61b4be68bc5aa0b59edcf7b"
INSTANCE = "07033b125fd94a8a96896f8bcfee6ddain07"
TOKEN = {"X-Auth-Token": "any-token"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="namespaces and chroot need root")


@pytest.fixture(scope="session")
def stage():
    return final_stage()


@pytest.fixture(scope="session")
def binary(stage):
    """The binary the build stage makes, by the command the build stage runs."""
    (run,) = build_stage_runs()
    script, option, built = run.split()
    assert (script, option) == ("scripts/static-build", "--out")
    assert [source for _, source, _ in stage.copies] == [built]
    done = subprocess.run(
        [ROOT / script], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stderr
    return ROOT / done.stdout.strip().splitlines()[-1]


@pytest.fixture
def container(stage, binary, tmp_path):
    started = []

    def run(**options):
        c = Container(stage, binary, tmp_path / f"c{len(started)}", **options)
        started.append(c)
        return c

    yield run
    for c in started:
        c.remove()


def listening(container, stage):
    port = stage.expose[0]
    container.wait_for_output(f"taurusdb-emulator listening on http://0.0.0.0:{port}")
    return port


def test_the_last_stage_is_one_binary_run_as_nobody_with_an_exec_form_healthcheck(stage):
    assert stage.base == "scratch"
    assert stage.uid_gid == (65534, 65534)
    assert stage.env["TAURUSDB_EMULATOR_HOST"] == "0.0.0.0"
    assert [int(stage.env["TAURUSDB_EMULATOR_PORT"])] == stage.expose
    assert stage.healthcheck.command[0] != "/bin/sh", "a shell-form check needs a shell"
    assert stage.healthcheck.command == stage.entrypoint + ["healthcheck"]


def test_the_image_serves_the_api_control_plane_and_dashboard_from_an_empty_root(
    stage, container
):
    c = container()
    port = listening(c, stage)
    creds = c.credentials()
    assert creds["uid"] == ["65534"] * 4 and creds["gid"] == ["65534"] * 4
    assert creds["groups"] == []

    created = c.request(
        "POST", port, f"/v3/{PROJECT}/backups/create",
        {"instance_id": INSTANCE, "name": "in-a-container"}, TOKEN,
    )
    assert created["status"] == 201, created
    backup = json.loads(created["body"])["backup"]
    assert backup["status"] == "BUILDING"

    completed = c.request("POST", port, f"/_emulator/backups/{backup['id']}/complete", {})
    assert completed["status"] == 200, completed
    listed = c.request("GET", port, f"/v3/{PROJECT}/backups?backup_id={backup['id']}", None, TOKEN)
    assert '"status":"COMPLETED"' in listed["body"], listed

    page = c.request("GET", port, "/_emulator/ui")
    assert page["status"] == 200
    assert page["headers"]["content-type"].startswith("text/html")
    assert "<title>" in page["body"]

    assert c.healthcheck() == 0
    assert c.stop() == 0, c.output()
    # Nothing but the copied binary and the mount points Docker itself makes: the emulator
    # wrote no file, needed no /tmp, no /etc/passwd, no shell.
    left = sorted(str(p.relative_to(c.root)) for p in c.root.rglob("*"))
    assert left == ["dev", "etc", "etc/hostname", "etc/hosts", "etc/resolv.conf", "proc",
                    "taurusdb-emulator"], left


def test_the_healthcheck_reports_a_wedged_emulator_unhealthy_within_its_timeout(
    stage, container
):
    c = container()
    listening(c, stage)
    assert c.healthcheck() == 0
    os.kill(c.pid, signal.SIGSTOP)  # it accepts connections (the kernel does) but answers none
    try:
        started = time.monotonic()
        assert c.healthcheck() != 0
        assert time.monotonic() - started < stage.healthcheck.timeout + 1
    finally:
        os.kill(c.pid, signal.SIGCONT)
    assert c.healthcheck() == 0
    assert c.stop() == 0


def test_with_tls_turned_on_by_its_environment_the_container_is_healthy(stage, container):
    # Before: `healthcheck` exited 1 ("an https:// URL needs the certificate to trust"): the
    # CA is made in memory and the image has nowhere it was written.
    c = container(env={"TAURUSDB_EMULATOR_TLS": "true"})
    port = stage.expose[0]
    c.wait_for_output(f"taurusdb-emulator listening on https://0.0.0.0:{port}")
    assert c.healthcheck() == 0, c.output()
    assert c.stop() == 0


def test_the_emulator_needs_no_random_device_files(stage, container):
    without = [d for d in DOCKER_DEVICES if d not in ("random", "urandom")]
    c = container(devices=without)
    port = listening(c, stage)
    first = c.request(
        "POST", port, f"/v3/{PROJECT}/backups/create",
        {"instance_id": INSTANCE, "name": "no-urandom"}, TOKEN,
    )
    assert first["status"] == 201, (first, c.output())
    assert "panicked" not in c.output()
    assert c.healthcheck() == 0
    assert c.stop() == 0


@pytest.fixture(scope="session")
def no_getrandom(tmp_path_factory):
    """A wrapper that runs a program with getrandom(2) failing (tests/docker/c)."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc builds the seccomp wrapper")
    wrapper = tmp_path_factory.mktemp("seccomp") / "no-getrandom"
    source = ROOT / "tests" / "docker" / "c" / "no-getrandom.c"
    subprocess.run(["gcc", "-O2", "-o", str(wrapper), str(source)], check=True)
    return str(wrapper)


def test_without_any_randomness_the_emulator_stops_at_start_with_a_clear_message(
    stage, container, no_getrandom
):
    # No getrandom(2) and no random devices: before, it served and panicked in a worker at
    # its first id, health checks failing; now it does not start, and says why.
    without = [d for d in DOCKER_DEVICES if d not in ("random", "urandom")]
    c = container(devices=without, wrap=[no_getrandom])
    assert c.process.wait(timeout=10) == 2
    output = c.output()
    assert "taurusdb-emulator: cannot draw random numbers from the operating system" in output
    assert "the emulator needs one of them" in output
    assert "panicked" not in output and "listening" not in output


def test_without_getrandom_the_emulator_takes_its_randomness_from_dev_urandom(
    stage, container, no_getrandom
):
    c = container(wrap=[no_getrandom])
    port = listening(c, stage)
    created = c.request(
        "POST", port, f"/v3/{PROJECT}/backups/create",
        {"instance_id": INSTANCE, "name": "from-urandom"}, TOKEN,
    )
    assert created["status"] == 201, (created, c.output())
    assert c.stop() == 0


def test_docker_stop_ends_the_emulator_gracefully_within_its_grace_period(stage, container):
    c = container()
    port = listening(c, stage)
    assert c.request("GET", port, "/_emulator/health")["status"] == 200
    started = time.monotonic()
    assert c.stop(timeout=10) == 0, c.output()
    assert time.monotonic() - started < 10
