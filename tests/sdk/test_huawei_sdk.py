"""The Huawei Cloud Python SDK (huaweicloudsdkgaussdb), unchanged, against the emulator.

It signs every request with AK/SK; the emulator runs in strict auth and verifies them.
"""

import json
import re

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkgaussdb.v3 import (
    BackupEncryptRequest,
    BatchDeleteBackupRequest,
    BatchDeleteBackupRequestBody,
    CreateGaussMySqlBackupRequest,
    DeleteGaussMySqlBackupRequest,
    DescribeBackupEncryptStatusRequest,
    GaussDBClient,
    ListGaussMySqlInstancesRequest,
    ModifyBackupEncryptStatusRequest,
    MysqlCreateBackupRequest,
    MysqlUpdateBackupPolicyRequest,
    ShowGaussMySqlBackupListRequest,
    ShowGaussMySqlBackupPolicyRequest,
    ShowGaussMySqlInstanceInfoRequest,
    ShowBackupRestoreTimeRequest,
    ShowGaussMySqlIncrementalBackupListRequest,
    ShowGaussMySqlJobInfoRequest,
    ShowInstanceBackupsRequest,
    UpdateBackupOffsitePolicyInfo,
    UpdateBackupOffsitePolicyRequest,
    UpdateBackupOffsitePolicyRequestBody,
    UpdateGaussMySqlBackupPolicyRequest,
)
from huaweicloudsdkgaussdb.v3.model.mysql_backup_policy import MysqlBackupPolicy
from huaweicloudsdkgaussdb.v3.region.gaussdb_region import GaussDBRegion

from conftest import AK, INSTANCE, OTHER_PROJECT, PROJECT, SK


def client(emulator, sk=SK):
    # The README's recipe: an AK/SK credential with the project id, and the emulator as endpoint.
    return (
        GaussDBClient.new_builder()
        .with_credentials(BasicCredentials(AK, sk, PROJECT))
        .with_endpoints([emulator.base])
        .build()
    )


def create(c, name="backup-01", instance=INSTANCE):
    body = MysqlCreateBackupRequest(instance_id=instance, name=name, description="manual backup")
    return c.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body))


def test_create_complete_list_job_delete(emulator):
    c = client(emulator)
    created = create(c)
    assert created.status_code == 201
    assert created.backup.status == "BUILDING"
    assert created.backup.type == "manual"
    assert re.fullmatch(r"[0-9a-f]{32}br07", created.backup.id)
    job = c.show_gauss_my_sql_job_info(ShowGaussMySqlJobInfoRequest(id=created.job_id)).job
    assert job.status == "Running"

    emulator.advance(5)

    job = c.show_gauss_my_sql_job_info(ShowGaussMySqlJobInfoRequest(id=created.job_id)).job
    assert job.status == "Completed"
    assert job.ended
    listed = c.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest(instance_id=INSTANCE, limit="10", offset="0"))
    assert listed.total_count == 1
    backup = listed.backups[0]
    assert (backup.id, backup.status, backup.type) == (created.backup.id, "COMPLETED", "manual")
    assert isinstance(backup.take_up_time, int) and isinstance(backup.size, float) and backup.size > 0
    deleted = c.delete_gauss_my_sql_backup(DeleteGaussMySqlBackupRequest(backup_id=created.backup.id))
    assert (deleted.backup_id, deleted.backup_name) == (created.backup.id, "backup-01")
    assert c.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest(backup_id=created.backup.id)).total_count == 0


def test_a_batch_delete_deletes_the_completed_backup_and_reports_the_unknown_id(emulator):
    c = client(emulator)
    created = create(c)
    emulator.advance(5)
    unknown = "b1182ccdda034f2b9535f3dca5c47e71br07"
    body = BatchDeleteBackupRequestBody(backup_ids=[created.backup.id, unknown])
    answer = c.batch_delete_backup(BatchDeleteBackupRequest(body=body))
    assert (answer.status_code, answer.success_count, answer.failed_count) == (200, 1, 1)
    [failed] = answer.failed_results
    assert (failed.backup_id, failed.error_code, failed.error_msg) == (
        unknown, "DBS.201203", "The backup file does not exist.")
    assert c.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest(backup_id=created.backup.id)).total_count == 0


def test_an_instances_full_backups_come_in_their_own_shape(emulator):
    c = client(emulator)
    created = create(c)
    emulator.advance(5)
    answer = c.show_instance_backups(ShowInstanceBackupsRequest(instance_id=INSTANCE, offset="0", limit="100"))
    assert answer.total_count == "1"
    [backup] = answer.backups
    assert (backup.id, backup.status, backup.size_unit, backup.instance_id) == (
        created.backup.id, "COMPLETED", "KB", INSTANCE)
    assert int(backup.size) > 0
    named = c.show_instance_backups(ShowInstanceBackupsRequest(
        instance_id=INSTANCE, filter_field="name", filter_content="no-such-name"))
    assert (named.total_count, named.backups) == ("0", [])


def test_the_restorable_times_start_at_the_end_of_a_completed_backup(emulator):
    c = client(emulator)
    assert c.show_backup_restore_time(ShowBackupRestoreTimeRequest(instance_id=INSTANCE)).restore_times == []
    create(c)
    emulator.advance(5 + 5 * 60)
    [window] = c.show_backup_restore_time(ShowBackupRestoreTimeRequest(instance_id=INSTANCE)).restore_times
    # It starts at the second the backup's end_time shows; the last incremental point is five
    # minutes after the backup's exact end.
    assert isinstance(window.start_time, int) and window.start_time % 1000 == 0
    assert 0 <= window.end_time - (window.start_time + 5 * 60 * 1000) < 1000


def test_incremental_backups_follow_a_completed_full_backup(emulator):
    c = client(emulator)
    create(c)
    emulator.advance(5 + 11 * 60)
    answer = c.show_gauss_my_sql_incremental_backup_list(
        ShowGaussMySqlIncrementalBackupListRequest(instance_id=INSTANCE, limit="10"))
    assert answer.total_count == 2
    assert [b.instance_id for b in answer.backups] == [INSTANCE, INSTANCE]
    assert answer.backups[0].end_time > answer.backups[1].end_time


def test_backup_encryption_is_turned_on_with_a_kms_key_and_read_back(emulator):
    c = client(emulator)
    status = c.describe_backup_encrypt_status(DescribeBackupEncryptStatusRequest(instance_id=INSTANCE))
    assert status.encryption_status == "off"
    body = BackupEncryptRequest(encryption_status="on", type="kms", kms_key_id="4f2d6a3e-1b7c-4e0a-9d51-0c8e2b7a6f19")
    changed = c.modify_backup_encrypt_status(ModifyBackupEncryptStatusRequest(instance_id=INSTANCE, body=body))
    assert changed.encryption_status == "on"
    status = c.describe_backup_encrypt_status(DescribeBackupEncryptStatusRequest(instance_id=INSTANCE))
    assert status.encryption_status == "on"


def test_a_cross_region_backup_policy_is_set(emulator):
    policy = UpdateBackupOffsitePolicyInfo(
        open_auto_backup=True, open_incremental_backup=False, destination_project_id=OTHER_PROJECT,
        destination_region="eu-nl", keep_days=7)
    body = UpdateBackupOffsitePolicyRequestBody(backup_policy=policy)
    answer = client(emulator).update_backup_offsite_policy(
        UpdateBackupOffsitePolicyRequest(instance_id=INSTANCE, body=body))
    assert answer.result == "SUCCESS"
    snapshot = emulator.control("GET", f"/_emulator/snapshot?project_id={PROJECT}")
    assert snapshot["projects"][0]["instances"][0]["offsite_backup_policy"]["destination_region"] == "eu-nl"


def test_instances_and_backup_policy(emulator):
    c = client(emulator)
    instances = c.list_gauss_my_sql_instances(ListGaussMySqlInstancesRequest())
    assert instances.total_count == 1
    assert instances.instances[0].id == INSTANCE
    instance = c.show_gauss_my_sql_instance_info(ShowGaussMySqlInstanceInfoRequest(instance_id=INSTANCE)).instance
    assert (instance.status, instance.port, instance.node_count) == ("ACTIVE", "3306", 1)
    policy = c.show_gauss_my_sql_backup_policy(ShowGaussMySqlBackupPolicyRequest(instance_id=INSTANCE)).backup_policy
    assert (policy.keep_days, policy.start_time, policy.period) == (7, "19:00-20:00", "1,2,3,4,5,6,7")
    body = MysqlUpdateBackupPolicyRequest(
        backup_policy=MysqlBackupPolicy(start_time="21:00-22:00", keep_days=3, period="1,3,5")
    )
    updated = c.update_gauss_my_sql_backup_policy(UpdateGaussMySqlBackupPolicyRequest(instance_id=INSTANCE, body=body))
    assert (updated.status, updated.instance_id) == ("COMPLETED", INSTANCE)
    policy = c.show_gauss_my_sql_backup_policy(ShowGaussMySqlBackupPolicyRequest(instance_id=INSTANCE)).backup_policy
    assert (policy.keep_days, policy.start_time, policy.period) == (3, "21:00-22:00", "1,3,5")


def test_an_invalid_name_raises_400_with_code_message_and_request_id(emulator):
    with pytest.raises(ClientRequestException) as raised:
        create(client(emulator), name="1st")
    e = raised.value
    assert (e.status_code, e.error_code, e.error_msg) == (400, "DBS.280277", "Invalid object name.")
    assert re.fullmatch(r"[0-9a-f]{32}", e.request_id)


def test_a_wrong_secret_key_is_401(emulator):
    with pytest.raises(ClientRequestException) as raised:
        create(client(emulator, sk="wrongsecret"))
    e = raised.value
    assert (e.status_code, e.error_code) == (401, "APIGW.0301")
    assert e.error_msg == "Incorrect IAM authentication information: verify aksk signature fail"


def test_an_unknown_instance_is_404(emulator):
    with pytest.raises(ClientRequestException) as raised:
        create(client(emulator), instance="99999999999999999999999999999999in07")
    assert (raised.value.status_code, raised.value.error_code) == (404, "DBS.200002")


def test_a_second_backup_while_one_builds_is_409(emulator):
    c = client(emulator)
    create(c)
    with pytest.raises(ClientRequestException) as raised:
        create(c, name="backup-02")
    assert (raised.value.status_code, raised.value.error_code) == (409, "DBS.201205")
    assert raised.value.error_msg == "Backup is in progress, please wait."


def test_a_client_built_for_the_real_cloud_looks_its_project_up(emulator, monkeypatch):
    # As a program written for the real cloud: a region and no project id. The endpoint
    # overrides come from the environment, so the code itself is unchanged.
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_GAUSSDB_EU_DE", emulator.base)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.base)
    c = (
        GaussDBClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK))
        .with_region(GaussDBRegion.value_of("eu-de"))
        .build()
    )
    created = create(c)
    assert created.backup.status == "BUILDING"
    journal = emulator.control("GET", "/_emulator/requests")["requests"]
    operations = [entry["operation"] for entry in journal]
    assert "iam_projects" in operations
    assert [e["status"] for e in journal if e["operation"] == "create"] == [201]


def sdk_signed(emulator, method, path, content_type, body=b""):
    """Sends a request the SDK's own signer signed (it states X-Sdk-Content-Sha256:
    UNSIGNED-PAYLOAD for any content type but JSON); the status and body that came back."""
    import urllib.error
    import urllib.request

    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    request = SdkRequest(method=method, schema="http", host=emulator.base.removeprefix("http://"),
                         resource_path=path, query_params=[],
                         header_params={"Content-Type": content_type, "X-Project-Id": PROJECT}, body=body)
    signed = Signer(BasicCredentials(AK, SK, PROJECT)).sign(request)
    assert signed.header_params["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    outgoing = urllib.request.Request(emulator.base + signed.uri, data=signed.body or None, method=method,
                                      headers=signed.header_params)
    try:
        with urllib.request.urlopen(outgoing, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_a_request_the_sdk_signs_with_an_unsigned_payload_is_verified(emulator):
    # Before: strict auth compared the header with the body's hash and answered 401.
    status, text = sdk_signed(emulator, "GET", f"/v3/{PROJECT}/backups", "text/plain")
    assert (status, text) == (200, '{"backups":[],"total_count":0}')
    # With a body, UNSIGNED-PAYLOAD stands for it in the canonical request: the signature
    # holds, and the create is refused for what it is, a body not declared as JSON.
    status, text = sdk_signed(emulator, "POST", f"/v3/{PROJECT}/backups/create",
                              "application/x-www-form-urlencoded", b"instance_id=x")
    assert (status, json.loads(text)["error_code"]) == (400, "DBS.200001")
