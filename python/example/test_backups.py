"""An example suite, the recommended way to start: each test gets a project of its own from
the plugin's `taurusdb_project` fixture, and finishes its backups through the control API
instead of sleeping. The clock is every project's: tests that share an emulator (`pytest -n 2`)
complete, fail or hold their own backups rather than advance it. Needs `taurusdb-emulator`
and, for the SDK test, `huaweicloudsdkgaussdb`."""

import json
import urllib.request

import pytest
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest,
    MysqlCreateBackupRequest,
    ShowGaussMySqlBackupListRequest,
)

from taurusdb_emulator import EmulatorError


def api(project, method, path, body=None):
    """A request to the emulated API with the project's token."""
    request = urllib.request.Request(
        f"{project.url}/v3/{project.project_id}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"X-Auth-Token": project.token, "Content-Type": "application/json"},
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as response:
        return json.loads(response.read())


def test_a_backup_made_with_the_sdk_completes(taurusdb_emulator, taurusdb_project):
    client = taurusdb_project.huawei_client()
    body = MysqlCreateBackupRequest(instance_id=taurusdb_project.instance_id, name="nightly")
    backup = client.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body)).backup
    assert backup.status == "BUILDING"

    taurusdb_emulator.complete(backup.id)

    listed = client.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest(backup_id=backup.id))
    assert [b.status for b in listed.backups] == ["COMPLETED"]


@pytest.mark.parametrize("suite", ["first", "second"])
def test_projects_are_isolated_even_on_the_same_instance_id(taurusdb_project, suite):
    # Both tests use the built-in instance id, each in its own project; run in parallel they
    # still see only their own backup.
    assert taurusdb_project.instance_id == "07033b125fd94a8a96896f8bcfee6ddain07"
    created = api(taurusdb_project, "POST", "/backups/create",
                  {"instance_id": taurusdb_project.instance_id, "name": f"backup-{suite}"})
    listed = api(taurusdb_project, "GET", f"/backups?instance_id={taurusdb_project.instance_id}")
    assert [b["id"] for b in listed["backups"]] == [created["backup"]["id"]]


def test_a_held_backup_is_failed_on_purpose(taurusdb_emulator, taurusdb_project):
    created = api(taurusdb_project, "POST", "/backups/create",
                  {"instance_id": taurusdb_project.instance_id, "name": "stuck"})
    backup_id = created["backup"]["id"]
    taurusdb_emulator.hold(backup_id)
    assert taurusdb_emulator.state(taurusdb_project.project_id)["projects"][0]["backups"][0][
        "finishes"] == "held"
    taurusdb_emulator.fail(backup_id, reason="disk full")
    job = api(taurusdb_project, "GET", f"/jobs?id={created['job_id']}")["job"]
    assert (job["status"], job["fail_reason"]) == ("Failed", "disk full")


def test_control_api_errors_are_typed(taurusdb_emulator):
    with pytest.raises(EmulatorError) as error:
        taurusdb_emulator.complete("00000000000000000000000000000000br07")
    assert (error.value.status, error.value.error_code) == (404, "DBS.201010")
