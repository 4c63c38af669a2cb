"""The restore side through Huawei Cloud's Python SDK (huaweicloudsdkgaussdb), unchanged, in
strict auth: instances created with and without a restore point, restores onto an existing
instance by backup and by time, and the jobs and statuses a client waits on."""

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest,
    CreateGaussMySqlInstanceRequest,
    MysqlBackupStrategy,
    MysqlChargeInfo,
    MysqlCreateBackupRequest,
    MysqlDatastoreInReq,
    MysqlInstanceRequest,
    MysqlRestorePoint,
    MysqlVolume,
    RestoreOldInstanceRequest,
    RestoreRequest,
    ShowBackupRestoreTimeRequest,
    ShowGaussMySqlInstanceInfoRequest,
    ShowGaussMySqlJobInfoRequest,
)

from conftest import INSTANCE
from test_huawei_sdk import client


def new_instance(name, restore_point=None):
    return MysqlInstanceRequest(
        region="eu-de",
        name=name,
        datastore=MysqlDatastoreInReq(type="gaussdb-mysql", version="8.0"),
        mode="Cluster",
        flavor_ref="gaussdb.mysql.xlarge.x86.4",
        vpc_id="3cedfc54-b105-4652-a4e0-847b11576b58",
        subnet_id="c1cfa53c-65d3-431e-8552-326bf310c7ad",
        password="Test@12345678",
        availability_zone_mode="single",
        slave_count=1,
        backup_strategy=MysqlBackupStrategy(start_time="08:00-09:00", keep_days="7"),
        charge_info=MysqlChargeInfo(charge_mode="postPaid"),
        volume=MysqlVolume(size="40"),
        restore_point=restore_point,
    )


def status(c, instance_id):
    return c.show_gauss_my_sql_instance_info(ShowGaussMySqlInstanceInfoRequest(instance_id=instance_id)).instance.status


def job(c, job_id):
    return c.show_gauss_my_sql_job_info(ShowGaussMySqlJobInfoRequest(id=job_id)).job


def completed_backup(c, emulator):
    body = MysqlCreateBackupRequest(instance_id=INSTANCE, name="before-restore")
    created = c.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body))
    emulator.advance(5)
    return created.backup.id


def created_instance(c, emulator, name):
    created = c.create_gauss_my_sql_instance(CreateGaussMySqlInstanceRequest(body=new_instance(name)))
    emulator.advance(5)
    assert status(c, created.instance.id) == "ACTIVE"
    return created.instance.id


def test_an_instance_is_created_builds_and_becomes_active(emulator):
    c = client(emulator)
    created = c.create_gauss_my_sql_instance(CreateGaussMySqlInstanceRequest(body=new_instance("gaussdb-mysql-01")))
    assert created.status_code == 201
    instance = created.instance
    assert (instance.status, instance.port, instance.mode, instance.volume.size) == ("BUILD", "3306", "Cluster", 40)
    assert (instance.backup_strategy.start_time, instance.backup_strategy.keep_days) == ("08:00-09:00", "7")
    assert job(c, created.job_id).name == "CreateGaussDBforMySQLInstance"
    assert status(c, instance.id) == "BUILD"
    emulator.advance(5)
    assert status(c, instance.id) == "ACTIVE"
    assert job(c, created.job_id).status == "Completed"


def test_a_backup_is_restored_onto_another_instance(emulator):
    c = client(emulator)
    backup_id = completed_backup(c, emulator)
    target = created_instance(c, emulator, "restore-target")
    body = RestoreRequest(source_instance_id=INSTANCE, target_instance_id=target, type="backup", backup_id=backup_id)
    answer = c.restore_old_instance(RestoreOldInstanceRequest(body=body))
    assert answer.status_code == 200
    assert status(c, target) == "RESTORING"
    assert status(c, INSTANCE) == "ACTIVE"
    running = job(c, answer.job_id)
    assert (running.status, running.name, running.instance.id) == ("Running", "RestoreGaussDBforMySQLInstance", target)
    with pytest.raises(ClientRequestException) as busy:
        c.restore_old_instance(RestoreOldInstanceRequest(body=body))
    assert (busy.value.status_code, busy.value.error_code) == (409, "DBS.200011")
    emulator.advance(5)
    assert job(c, answer.job_id).status == "Completed"
    assert status(c, target) == "ACTIVE"


def test_the_instance_is_restored_to_the_start_of_its_restorable_range(emulator):
    c = client(emulator)
    completed_backup(c, emulator)
    [window] = c.show_backup_restore_time(ShowBackupRestoreTimeRequest(instance_id=INSTANCE)).restore_times
    body = RestoreRequest(source_instance_id=INSTANCE, target_instance_id=INSTANCE, type="timestamp",
                          restore_time=window.start_time)
    answer = c.restore_old_instance(RestoreOldInstanceRequest(body=body))
    assert status(c, INSTANCE) == "RESTORING"
    emulator.advance(5)
    assert job(c, answer.job_id).status == "Completed"
    body.restore_time = window.start_time - 1
    with pytest.raises(ClientRequestException) as outside:
        c.restore_old_instance(RestoreOldInstanceRequest(body=body))
    assert (outside.value.status_code, outside.value.error_code) == (400, "DBS.200001")


def test_a_backup_is_restored_to_a_new_instance(emulator):
    c = client(emulator)
    backup_id = completed_backup(c, emulator)
    point = MysqlRestorePoint(source_instance_id=INSTANCE, type="backup", backup_id=backup_id)
    created = c.create_gauss_my_sql_instance(
        CreateGaussMySqlInstanceRequest(body=new_instance("restored-01", restore_point=point)))
    assert created.instance.status == "BUILD"
    assert job(c, created.job_id).name == "RestoreGaussDBforMySQLNewInstance"
    emulator.advance(5)
    assert status(c, created.instance.id) == "ACTIVE"
    point.backup_id = "00000000000000000000000000000000br07"
    with pytest.raises(ClientRequestException) as unknown:
        c.create_gauss_my_sql_instance(CreateGaussMySqlInstanceRequest(body=new_instance("restored-02", point)))
    assert (unknown.value.status_code, unknown.value.error_code) == (404, "DBS.201010")
