"""The Python package (python/taurusdb_emulator) from its source, with the official clients
its helpers configure, against the built binary in strict auth: every credential it hands out
must really work, and only for its own project."""

import sys

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest,
    MysqlCreateBackupRequest,
    RestoreOldInstanceRequest,
    RestoreRequest,
    ShowGaussMySqlBackupListRequest,
)
from openstack import exceptions

from conftest import BINARY, ROOT

sys.path.insert(0, str(ROOT / "python"))
from taurusdb_emulator import Emulator, EmulatorError  # noqa: E402


@pytest.fixture
def strict():
    with Emulator("--auth", "strict", "--clock", "manual", "--automated-backups", "false",
                  binary=str(BINARY)) as emulator:
        yield emulator


def sdk_create(project, name="nightly-1"):
    body = MysqlCreateBackupRequest(instance_id=project.instance_id, name=name)
    return project.huawei_client().create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body))


def test_the_built_in_project_has_the_credentials_the_binary_accepts(strict):
    project = strict.default_project
    assert project.url == strict.url and project.project_id == "619d3e78f61b4be68bc5aa0b59edcf7b"
    created = sdk_create(project)
    assert created.backup.status == "BUILDING"
    strict.advance(5)
    conn = project.otc_connection()
    response = conn.gaussdb.get(f"/backups?backup_id={created.backup.id}")
    exceptions.raise_from_response(response)
    assert response.json()["backups"][0]["status"] == "COMPLETED"


def test_a_new_project_has_working_credentials_of_its_own_and_is_gone_after(strict):
    project = strict.new_project()
    assert project.instance_id == strict.instance_id, "the built-in instance id, in its project"
    created = sdk_create(project)
    strict.complete(created.backup.id)
    listed = project.huawei_client().show_gauss_my_sql_backup_list(
        ShowGaussMySqlBackupListRequest(instance_id=project.instance_id))
    assert [b.id for b in listed.backups] == [created.backup.id]
    conn = project.otc_connection()
    assert conn.gaussdb.get("/backups").json()["total_count"] == 1
    # The built-in project does not see it.
    other = strict.default_project.huawei_client().show_gauss_my_sql_backup_list(
        ShowGaussMySqlBackupListRequest(instance_id=project.instance_id))
    assert other.backups == []

    strict.remove_project(project)
    with pytest.raises(ClientRequestException) as refused:
        sdk_create(project)
    assert refused.value.status_code == 401
    assert project.project_id not in [p["id"] for p in strict.state()["projects"]]


def test_control_api_errors_raise_one_typed_exception(strict):
    with pytest.raises(EmulatorError) as error:
        strict.wait("00000000000000000000000000000000br07", timeout="1s")
    assert (error.value.status, error.value.error_code, error.value.error_msg) == (
        404, "DBS.201010", "The backup information does not exist.")
    with pytest.raises(EmulatorError) as error:
        strict.advance(-1)
    assert error.value.error_code == "DBS.200001"


def test_every_control_call_works_with_a_control_token_and_an_emulator_started_elsewhere():
    with Emulator("--clock", "manual", binary=str(BINARY), control_token="s3cret") as started:
        emulator = Emulator.connect(started.url, control_token="s3cret")
        project = emulator.new_project()
        created = sdk_create(project)
        backup_id = created.backup.id
        emulator.hold(backup_id)
        assert emulator.advance(10)["transition_count"] == 0
        emulator.fail(backup_id, "disk full")
        assert emulator.wait(backup_id, "FAILED")["status"] == "FAILED"
        emulator.fault("create", status=409, error_code="DBS.200019", error_msg="busy")
        with pytest.raises(ClientRequestException) as busy:
            sdk_create(project, "nightly-2")
        assert busy.value.error_code == "DBS.200019"
        assert emulator.faults()["requests"][0]["hits"] == 1
        emulator.clear_faults()
        # After commit, on this project only: the client meets a 500, the backup is made.
        emulator.fault("create", phase="after", preset="server-error", project_id=project.project_id)
        with pytest.raises(ServerResponseException) as failed:
            sdk_create(project, "committed")
        assert failed.value.error_code == "DBS.108000"
        made = emulator.snapshot(project.project_id)["projects"][0]["backups"]
        assert made[-1]["name"] == "committed"
        emulator.complete(made[-1]["id"])
        struck = [r for r in emulator.requests()["requests"] if r.get("fault")]
        assert [r["fault"] for r in struck] == [
            {"id": 1, "phase": "before", "committed": False},
            {"id": 2, "phase": "after", "committed": True},
        ]
        emulator.clear_faults()
        emulator.fail_backups(1, instance_id=project.instance_id, reason="injected")
        failing = sdk_create(project, "nightly-3").backup.id
        emulator.advance(5)
        assert emulator.snapshot(project.project_id)["projects"][0]["backups"][-1]["fail_reason"] == "injected"
        good = sdk_create(project, "nightly-4").backup.id
        emulator.complete(good)
        emulator.fail_backups(instance_id=project.instance_id, reason="no space", operation="restore")
        restore = project.huawei_client().restore_old_instance(RestoreOldInstanceRequest(body=RestoreRequest(
            source_instance_id=project.instance_id, target_instance_id=project.instance_id,
            type="backup", backup_id=good)))
        emulator.hold_job(restore.job_id)
        assert emulator.wait_job(restore.job_id, "Running", "1s")["status"] == "Running"
        assert emulator.faults()["backups"][-1]["hits"] == 1, "the rule caught the restore"
        assert emulator.complete_job(restore.job_id) == {"job_id": restore.job_id, "status": "Completed"}
        assert emulator.wait_job(restore.job_id)["name"] == "RestoreGaussDBforMySQLInstance"
        with pytest.raises(EmulatorError) as ended:
            emulator.fail_job(restore.job_id)
        assert ended.value.error_code == "EMULATOR.JOB_ENDED"
        added = emulator.add_logs(project.instance_id, error_logs=[{"content": "disk nearly full", "level": "WARNING"}],
                                  slow_logs=[{"query_sample": "select 1", "query_time": 2}])
        assert added == {"error_logs": 1, "slow_logs": 1}
        assert emulator.set_lifecycle("instant")["mode"] == "instant"
        assert emulator.clock()["mode"] == "manual"
        assert emulator.requests()["requests"]
        emulator.clear_requests()
        snapshot = emulator.snapshot(project.project_id)
        emulator.reset(project.project_id)
        emulator.load_fixtures(snapshot)
        restored = emulator.snapshot(project.project_id)["projects"][0]
        assert [b["id"] for b in restored["backups"]][-2:] == [failing, good]
        assert restored["jobs"][-1]["id"] == restore.job_id
        assert emulator.stop() is None, "an emulator only connected to is not stopped"
        with pytest.raises(EmulatorError) as refused:
            Emulator.connect(started.url).state()
        assert refused.value.error_code == "EMULATOR.CONTROL_TOKEN"
    assert started.stop() == 0


def test_over_https_the_package_trusts_the_ca_the_emulator_made():
    with Emulator("--tls", "--clock", "manual", binary=str(BINARY)) as emulator:
        assert emulator.url.startswith("https://127.0.0.1:")
        assert open(emulator.ca_file).read().startswith("-----BEGIN CERTIFICATE-----")
        assert emulator.advance(1)["mode"] == "manual"
        project = emulator.new_project()
        assert emulator.state(project.project_id)["projects"][0]["id"] == project.project_id


def _gone(pid, within=10.0):
    """Whether process `pid` has ended (or is a zombie) within `within` seconds."""
    import os
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("death", ["os.kill(os.getpid(), signal.SIGKILL)",
                                   "os.kill(os.getpid(), signal.SIGTERM)", "os._exit(3)"])
def test_the_emulator_ends_with_the_process_that_started_it(tmp_path, death):
    # Before: after SIGTERM, SIGKILL or os._exit of pytest the emulator ran on with ppid 1.
    import subprocess

    script = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'python')!r})\n"
        "from taurusdb_emulator import Emulator\n"
        f"e = Emulator(binary={str(BINARY)!r})\n"
        "print(e._process.pid, flush=True)\n"
        f"{death}\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    pid = int(done.stdout.split()[0])
    assert _gone(pid), f"the emulator {pid} outlived its parent ({death})"


def test_the_control_token_is_not_on_the_command_line_and_a_port_may_be_given():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Emulator("--port", str(port), binary=str(BINARY), control_token="sup3r-s3cret") as emulator:
        assert emulator.url == f"http://127.0.0.1:{port}"
        with open(f"/proc/{emulator._process.pid}/cmdline", "rb") as cmdline:
            assert b"sup3r-s3cret" not in cmdline.read()
        assert emulator.health() == {"status": "ok"}
        with pytest.raises(EmulatorError) as refused:
            Emulator.connect(emulator.url).state()
        assert refused.value.error_code == "EMULATOR.CONTROL_TOKEN"


def test_tls_turned_on_by_the_environment_is_trusted_and_the_plugin_takes_a_ca(tmp_path):
    import subprocess

    with Emulator(binary=str(BINARY), env={"TAURUSDB_EMULATOR_TLS": "true"}) as emulator:
        assert emulator.url.startswith("https://")
        assert emulator.health() == {"status": "ok"}
        # The plugin against that emulator by URL, trusting its CA.
        (tmp_path / "test_over_https.py").write_text(
            "def test_health(taurusdb_emulator):\n"
            "    assert taurusdb_emulator.health() == {'status': 'ok'}\n"
        )
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "taurusdb_emulator.plugin",
             "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
             f"--taurusdb-emulator-url={emulator.url}",
             f"--taurusdb-emulator-ca={emulator.ca_file}", str(tmp_path / "test_over_https.py")],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
            env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "python")},
        )
        assert done.returncode == 0, done.stdout + done.stderr
