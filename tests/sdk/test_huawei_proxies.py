"""Database proxies, SQL throttling and quotas through the Huawei Cloud Python SDK
(huaweicloudsdkgaussdb), unchanged: every operation of it that the emulator serves for them
(Huawei's logs are a different, v3.1 API), signed with AK/SK in strict auth. Huawei's quota
schema has no enterprise project name: the emulator keeps the one it holds."""

from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkgaussdb.v3 import (
    ChangeGaussMySqlProxySpecificationRequest,
    CloseMysqlProxyRequestBody,
    CreateGaussMySqlProxyRequest,
    CreateGaussMySqlReadonlyNodeRequest,
    DeleteGaussMySqlProxyRequest,
    DeleteNodeSqlFilterRule,
    DeleteNodeSqlFilterRuleInfo,
    DeleteSqlFilterRuleReq,
    DeleteSqlFilterRuleRequest,
    EnlargeProxyRequest,
    ExpandGaussMySqlProxyRequest,
    ModifyProxyWeightReadonlyNode,
    MysqlCreateReadonlyNodeRequest,
    NodeSqlFilterRule,
    NodeSqlFilterRuleInfo,
    NodeSqlFilterRulePattern,
    NodesWeight,
    OpenMysqlProxyRequestBody,
    OperateSqlFilterControlReq,
    OperateSqlFilterRuleReq,
    SetGaussMySqlProxyWeightRequest,
    SetGaussMySqlQuotasRequest,
    SetQuota,
    SetQuotasRequestBody,
    SetSqlFilterRuleRequest,
    ShowGaussMySqlInstanceInfoRequest,
    ShowGaussMySqlJobInfoRequest,
    ShowGaussMySqlProjectQuotasRequest,
    ShowGaussMySqlProxyFlavorsRequest,
    ShowGaussMySqlProxyListRequest,
    ShowGaussMySqlQuotasRequest,
    ShowSqlFilterControlRequest,
    ShowSqlFilterRuleRequest,
    TaurusModifyProxyWeightRequest,
    TaurusProxyScaleRequest,
    UpdateGaussMySqlQuotasRequest,
    UpdateSqlFilterControlRequest,
)

from conftest import INSTANCE
from test_huawei_sdk import client


def job_status(c, job_id):
    return c.show_gauss_my_sql_job_info(ShowGaussMySqlJobInfoRequest(id=job_id)).job.status


def nodes(c):
    return c.show_gauss_my_sql_instance_info(ShowGaussMySqlInstanceInfoRequest(instance_id=INSTANCE)).instance.nodes


def proxies(c):
    return c.show_gauss_my_sql_proxy_list(ShowGaussMySqlProxyListRequest(instance_id=INSTANCE)).proxy_list


def with_replica(c, emulator):
    c.create_gauss_my_sql_readonly_node(CreateGaussMySqlReadonlyNodeRequest(
        instance_id=INSTANCE, body=MysqlCreateReadonlyNodeRequest(priorities=[1])))
    emulator.advance(5)
    return nodes(c)


def test_a_proxy_is_enabled_weighted_resized_enlarged_and_disabled(emulator):
    c = client(emulator)
    [group] = c.show_gauss_my_sql_proxy_flavors(
        ShowGaussMySqlProxyFlavorsRequest(instance_id=INSTANCE)).proxy_flavor_groups
    first = group.proxy_flavors[0]
    assert (first.spec_code, first.vcpus, first.ram, first.db_type) == ("gaussdb.proxy.large.x86.2", "2", "4", "Proxy")
    try:
        c.create_gauss_my_sql_proxy(CreateGaussMySqlProxyRequest(instance_id=INSTANCE, body=OpenMysqlProxyRequestBody(
            flavor_ref="gaussdb.proxy.large.x86.2", node_num=2)))
        raise AssertionError("a proxy without a read replica was enabled")
    except ClientRequestException as e:
        assert (e.status_code, e.error_code) == (409, "DBS.280406")

    master, replica = with_replica(c, emulator)
    enabled = c.create_gauss_my_sql_proxy(CreateGaussMySqlProxyRequest(instance_id=INSTANCE, body=OpenMysqlProxyRequestBody(
        flavor_ref="gaussdb.proxy.large.x86.2", node_num=2, proxy_name="orders-proxy", proxy_mode="readwrite",
        route_mode=0, nodes_read_weight=[NodesWeight(id=master.id, weight=10), NodesWeight(id=replica.id, weight=90)])))
    assert enabled.status_code == 201
    assert proxies(c)[0].proxy.status == "ENABLING PROXY"
    emulator.advance(5)
    assert job_status(c, enabled.job_id) == "Completed"
    [listed] = proxies(c)
    pool = listed.proxy.pool_id
    assert (listed.proxy.status, listed.proxy.port, listed.proxy.node_num, listed.proxy.vcpus) == ("ACTIVE", 3306, 2, "2")
    assert (listed.master_node.weight, listed.readonly_nodes[0].weight) == (10, 90)

    weighted = c.set_gauss_my_sql_proxy_weight(SetGaussMySqlProxyWeightRequest(
        instance_id=INSTANCE, proxy_id=pool, body=TaurusModifyProxyWeightRequest(
            master_weight=0, readonly_nodes=[ModifyProxyWeightReadonlyNode(id=replica.id, weight=500)])))
    resized = c.change_gauss_my_sql_proxy_specification(ChangeGaussMySqlProxySpecificationRequest(
        instance_id=INSTANCE, proxy_id=pool, body=TaurusProxyScaleRequest(flavor_ref="gaussdb.proxy.2xlarge.x86.2")))
    expanded = c.expand_gauss_my_sql_proxy(ExpandGaussMySqlProxyRequest(
        instance_id=INSTANCE, body=EnlargeProxyRequest(node_num=2, proxy_id=pool)))
    emulator.advance(5)
    assert {job_status(c, j) for j in (weighted.job_id, resized.job_id, expanded.job_id)} == {"Completed"}
    [listed] = proxies(c)
    assert (listed.proxy.flavor_ref, listed.proxy.ram, listed.proxy.node_num) == ("gaussdb.proxy.2xlarge.x86.2", "16", 4)
    assert (listed.master_node.weight, listed.readonly_nodes[0].weight) == (0, 500)

    closed = c.delete_gauss_my_sql_proxy(DeleteGaussMySqlProxyRequest(
        instance_id=INSTANCE, body=CloseMysqlProxyRequestBody(proxy_ids=[pool])))
    emulator.advance(5)
    assert job_status(c, closed.job_id) == "Completed"
    assert proxies(c) == []


def test_sql_throttling_is_switched_and_its_rules_set_read_and_deleted(emulator):
    c = client(emulator)
    node = nodes(c)[0].id
    assert c.show_sql_filter_control(ShowSqlFilterControlRequest(instance_id=INSTANCE)).switch_status == "OFF"
    switched = c.update_sql_filter_control(UpdateSqlFilterControlRequest(
        instance_id=INSTANCE, body=OperateSqlFilterControlReq(switch_status="ON")))
    emulator.advance(5)
    assert job_status(c, switched.job_id) == "Completed"
    assert c.show_sql_filter_control(ShowSqlFilterControlRequest(instance_id=INSTANCE)).switch_status == "ON"

    rule = NodeSqlFilterRule(sql_type="SELECT", patterns=[
        NodeSqlFilterRulePattern(pattern="select~from~orders", max_concurrency=8, expire_at=-1)])
    c.set_sql_filter_rule(SetSqlFilterRuleRequest(instance_id=INSTANCE, body=OperateSqlFilterRuleReq(
        sql_filter_rules=[NodeSqlFilterRuleInfo(node_id=node, rules=[rule])])))
    emulator.advance(5)
    read = c.show_sql_filter_rule(ShowSqlFilterRuleRequest(instance_id=INSTANCE, node_id=node, sql_type="SELECT"))
    assert read.node_id == node
    [of_type] = read.sql_filter_rules
    assert (of_type.sql_type, of_type.patterns[0].pattern, of_type.patterns[0].max_concurrency) == (
        "SELECT", "select~from~orders", 8)

    c.delete_sql_filter_rule(DeleteSqlFilterRuleRequest(instance_id=INSTANCE, body=DeleteSqlFilterRuleReq(
        sql_filter_rules=[DeleteNodeSqlFilterRuleInfo(node_id=node, rules=[
            DeleteNodeSqlFilterRule(sql_type="SELECT", patterns=["select~from~orders"])])])))
    emulator.advance(5)
    assert c.show_sql_filter_rule(ShowSqlFilterRuleRequest(instance_id=INSTANCE, node_id=node)).sql_filter_rules == []


def test_quotas_are_listed_set_and_modified_and_the_projects_counted(emulator):
    c = client(emulator)
    [default] = c.show_gauss_my_sql_quotas(ShowGaussMySqlQuotasRequest(enterprise_project_name="default")).quota_list
    assert (default.enterprise_project_id, default.instance_quota, default.availability_ram_quota) == ("0", -1, -1)
    c.set_gauss_my_sql_quotas(SetGaussMySqlQuotasRequest(body=SetQuotasRequestBody(quota_list=[
        SetQuota(enterprise_project_id="0", instance_quota=5, vcpus_quota=64, ram_quota=512)])))
    [default] = c.show_gauss_my_sql_quotas(ShowGaussMySqlQuotasRequest(limit="10", offset="0")).quota_list
    assert (default.enterprise_project_name, default.instance_quota) == ("default", 5)
    assert default.availability_instance_quota == 5 - 1, "the instance of the fixtures is in it"
    updated = c.update_gauss_my_sql_quotas(UpdateGaussMySqlQuotasRequest(body=SetQuotasRequestBody(quota_list=[
        SetQuota(enterprise_project_id="0", instance_quota=-1, vcpus_quota=-1, ram_quota=-1)])))
    assert updated.quota_list[0].instance_quota == -1
    [resource] = c.show_gauss_my_sql_project_quotas(ShowGaussMySqlProjectQuotasRequest(type="instance")).quotas.resources
    assert (resource.type, resource.used, resource.quota) == ("instance", 1, 1000)
