"""Instance management through the Huawei Cloud Python SDK (huaweicloudsdkgaussdb), unchanged:
every operation of it that the emulator serves, signed with AK/SK in strict auth."""

from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkgaussdb.v3 import (
    ChangeGaussMySqlInstanceSpecificationRequest,
    CreateGaussMySqlReadonlyNodeRequest,
    DeleteGaussMySqlInstanceRequest,
    DeleteGaussMySqlReadonlyNodeRequest,
    ListGaussMySqlConfigurationsRequest,
    ListInstanceConfigurationsRequest,
    ModifyPortRequest,
    MysqlChangeSpecificationRequest,
    MysqlCreateReadonlyNodeRequest,
    MysqlResetPasswordRequest,
    MysqlResizeFlavor,
    MysqlUpdateInstanceNameRequest,
    ResetGaussMySqlPasswordRequest,
    ShowGaussMySqlEngineVersionRequest,
    ShowGaussMySqlFlavorsRequest,
    ShowGaussMySqlInstanceInfoRequest,
    ShowGaussMySqlJobInfoRequest,
    ShowInstanceMonitorExtendRequest,
    TaurusModifyInstanceMonitorRequestBody,
    UpdateGaussMySqlInstanceNameRequest,
    UpdateGaussMySqlInstancePortRequest,
    UpdateInstanceMonitorRequest,
)

from conftest import INSTANCE
from test_huawei_sdk import client


def job_status(c, job_id):
    return c.show_gauss_my_sql_job_info(ShowGaussMySqlJobInfoRequest(id=job_id)).job.status


def details(c):
    return c.show_gauss_my_sql_instance_info(ShowGaussMySqlInstanceInfoRequest(instance_id=INSTANCE)).instance


def test_rename_port_flavor_and_monitoring_take_effect_when_their_jobs_end(emulator):
    c = client(emulator)
    renamed = c.update_gauss_my_sql_instance_name(UpdateGaussMySqlInstanceNameRequest(
        instance_id=INSTANCE, body=MysqlUpdateInstanceNameRequest(name="orders-db")))
    assert job_status(c, renamed.job_id) == "Running"
    emulator.advance(5)
    assert job_status(c, renamed.job_id) == "Completed"
    assert details(c).name == "orders-db"

    ported = c.update_gauss_my_sql_instance_port(UpdateGaussMySqlInstancePortRequest(
        instance_id=INSTANCE, body=ModifyPortRequest(port=3307)))
    assert details(c).status == "MODIFYING DATABASE PORT"
    emulator.advance(5)
    assert job_status(c, ported.job_id) == "Completed"
    assert details(c).port == "3307"

    body = MysqlChangeSpecificationRequest(resize_flavor=MysqlResizeFlavor(spec_code="gaussdb.mysql.2xlarge.x86.8"))
    resized = c.change_gauss_my_sql_instance_specification(
        ChangeGaussMySqlInstanceSpecificationRequest(instance_id=INSTANCE, body=body))
    assert details(c).status == "MODIFYING"
    emulator.advance(5)
    assert job_status(c, resized.job_id) == "Completed"
    node = details(c).nodes[0]
    assert (node.flavor_ref, node.vcpus, node.ram) == ("gaussdb.mysql.2xlarge.x86.8", "8", "64")

    monitored = c.update_instance_monitor(UpdateInstanceMonitorRequest(
        instance_id=INSTANCE, body=TaurusModifyInstanceMonitorRequestBody(monitor_switch=True, period=1)))
    emulator.advance(5)
    assert job_status(c, monitored.job_id) == "Completed"
    policy = c.show_instance_monitor_extend(ShowInstanceMonitorExtendRequest(instance_id=INSTANCE))
    assert (policy.monitor_switch, policy.period) == (True, 1)


def test_replicas_are_added_and_deleted_and_the_instance_goes(emulator):
    c = client(emulator)
    added = c.create_gauss_my_sql_readonly_node(CreateGaussMySqlReadonlyNodeRequest(
        instance_id=INSTANCE, body=MysqlCreateReadonlyNodeRequest(priorities=[1, 2])))
    assert added.status_code == 201
    assert len(added.node_names) == 2 and len(added.job_id.split(",")) == 2
    emulator.advance(5)
    nodes = details(c).nodes
    assert [n.type for n in nodes] == ["master", "slave", "slave"]
    assert all(n.status == "ACTIVE" for n in nodes)
    deleted = c.delete_gauss_my_sql_readonly_node(DeleteGaussMySqlReadonlyNodeRequest(
        instance_id=INSTANCE, node_id=nodes[2].id))
    emulator.advance(5)
    assert job_status(c, deleted.job_id) == "Completed"
    assert details(c).node_count == 2

    reset = c.reset_gauss_my_sql_password(ResetGaussMySqlPasswordRequest(
        instance_id=INSTANCE, body=MysqlResetPasswordRequest(password="Root1234#New")))
    assert reset.status_code == 200

    gone = c.delete_gauss_my_sql_instance(DeleteGaussMySqlInstanceRequest(instance_id=INSTANCE))
    emulator.advance(5)
    assert job_status(c, gone.job_id) == "Completed"
    try:
        details(c)
        raise AssertionError("the deleted instance is still found")
    except ClientRequestException as e:
        assert (e.status_code, e.error_code) == (404, "DBS.200002")


def test_the_catalogues(emulator):
    c = client(emulator)
    flavors = c.show_gauss_my_sql_flavors(ShowGaussMySqlFlavorsRequest(
        database_name="gaussdb-mysql", availability_zone_mode="multi")).flavors
    assert {"gaussdb.mysql.xlarge.x86.8", "gaussdb.mysql.2xlarge.x86.8"} <= {f.spec_code for f in flavors}
    versions = c.show_gauss_my_sql_engine_version(ShowGaussMySqlEngineVersionRequest(database_name="gaussdb-mysql"))
    assert [v.name for v in versions.datastores] == ["8.0"]
    templates = c.list_gauss_my_sql_configurations(ListGaussMySqlConfigurationsRequest())
    assert templates.configurations[0].id == "43570e0de32e40c5a15f831aa5ce4176pr07"
    parameters = c.list_instance_configurations(ListInstanceConfigurationsRequest(instance_id=INSTANCE))
    assert parameters.total_count == len(parameters.parameter_values) > 0
