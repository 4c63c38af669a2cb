"""otcextensions (openstacksdk) against the emulator: the raw `conn.gaussdb` proxy with a token,
given directly (admin_token) or obtained from the emulator's own IAM (password)."""

import openstack
import pytest
from openstack import exceptions
from otcextensions import sdk

from conftest import DOMAIN, INSTANCE, PASSWORD, PROJECT, TOKEN, USER


def admin_token_connection(emulator, token=TOKEN):
    # The README's recipe: the emulator's project URL as the endpoint of every service.
    conn = openstack.connect(
        auth_type="admin_token",
        auth={"endpoint": f"{emulator.base}/v3/{PROJECT}", "token": token},
        load_yaml_config=False,
        load_envvars=False,
    )
    sdk.register_otc_extensions(conn)
    return conn


def password_connection(emulator, password=PASSWORD):
    # The README's recipe: the emulator as IAM; its catalog points gaussdb-mysql at itself.
    conn = openstack.connect(
        auth_type="password",
        auth={
            "auth_url": f"{emulator.base}/v3",
            "username": USER,
            "password": password,
            "user_domain_name": DOMAIN,
            "project_id": PROJECT,
        },
        load_yaml_config=False,
        load_envvars=False,
    )
    sdk.register_otc_extensions(conn)
    return conn


CONNECTIONS = [admin_token_connection, password_connection]


def create(conn, name="backup-01", instance=INSTANCE):
    response = conn.gaussdb.post("/backups/create", json={"instance_id": instance, "name": name, "description": "manual backup"})
    exceptions.raise_from_response(response)
    return response


@pytest.mark.parametrize("connect", CONNECTIONS)
def test_create_complete_list_job_delete(emulator, connect):
    conn = connect(emulator)
    created = create(conn)
    assert created.status_code == 201
    backup = created.json()["backup"]
    job_id = created.json()["job_id"]
    assert backup["status"] == "BUILDING"

    emulator.advance(5)

    job = conn.gaussdb.get("/jobs", params={"id": job_id})
    exceptions.raise_from_response(job)
    assert job.json()["job"]["status"] == "Completed"
    listed = conn.gaussdb.get("/backups", params={"instance_id": INSTANCE})
    exceptions.raise_from_response(listed)
    assert listed.json()["total_count"] == 1
    assert listed.json()["backups"][0]["status"] == "COMPLETED"
    deleted = conn.gaussdb.delete(f"/backups/{backup['id']}")
    exceptions.raise_from_response(deleted)
    assert deleted.json() == {"backup_id": backup["id"], "backup_name": "backup-01"}


@pytest.mark.parametrize("connect", CONNECTIONS)
def test_error_paths(emulator, connect):
    conn = connect(emulator)
    with pytest.raises(exceptions.BadRequestException) as bad:
        create(conn, name="1st")
    assert bad.value.details == "DBS.280277"
    assert bad.value.response.json() == {"error_code": "DBS.280277", "error_msg": "Invalid object name."}
    assert bad.value.request_id == bad.value.response.headers["X-Request-Id"]
    with pytest.raises(exceptions.NotFoundException) as missing:
        create(conn, instance="99999999999999999999999999999999in07")
    assert missing.value.details == "DBS.200002"
    create(conn)
    with pytest.raises(exceptions.ConflictException) as conflict:
        create(conn, name="backup-02")
    assert conflict.value.details == "DBS.201205"


def test_a_wrong_token_is_401(emulator):
    conn = admin_token_connection(emulator, token="wrong-token")
    with pytest.raises(exceptions.HttpException) as raised:
        create(conn)
    assert raised.value.status_code == 401
    assert raised.value.details == "APIGW.0301"


def test_a_wrong_password_is_refused_by_the_emulators_iam(emulator):
    # keystoneauth turns IAM's 401 into an SDKException carrying Keystone's message.
    with pytest.raises(exceptions.SDKException) as raised:
        create(password_connection(emulator, password="wrong"))
    assert "The request you have made requires authentication. (HTTP 401)" in str(raised.value)
