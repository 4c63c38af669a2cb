"""The fixtures JSON Schema (docs/fixtures.schema.json) accepts every fixtures file of the
project and every snapshot the emulator writes, and refuses what the emulator refuses."""

import json
import urllib.error
from pathlib import Path

import jsonschema_rs
import pytest

from conftest import FIXTURES, INSTANCE, ROOT

SCHEMA = json.loads((ROOT / "docs" / "fixtures.schema.json").read_text())
VALIDATOR = jsonschema_rs.validator_for(SCHEMA)


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures").glob("*.json")), ids=lambda p: p.name)
def test_the_projects_fixtures_files_are_valid(path):
    VALIDATOR.validate(json.loads(path.read_text()))


def test_the_contract_tests_fixtures_are_valid():
    VALIDATOR.validate(FIXTURES)


def test_a_snapshot_is_valid_fixtures(emulator):
    emulator.control("POST", "/_emulator/clock/advance", {"seconds": 0})
    VALIDATOR.validate(emulator.control("GET", "/_emulator/snapshot"))


def test_a_snapshot_with_running_restores_and_created_instances_is_valid_fixtures(emulator):
    from test_huawei_restore import completed_backup, new_instance
    from test_huawei_sdk import client
    from huaweicloudsdkgaussdb.v3 import (
        CreateGaussMySqlInstanceRequest, MysqlRestorePoint, RestoreOldInstanceRequest, RestoreRequest)

    c = client(emulator)
    backup_id = completed_backup(c, emulator)
    c.restore_old_instance(RestoreOldInstanceRequest(body=RestoreRequest(
        source_instance_id=INSTANCE, target_instance_id=INSTANCE, type="backup", backup_id=backup_id)))
    point = MysqlRestorePoint(source_instance_id=INSTANCE, backup_id=backup_id)
    created = c.create_gauss_my_sql_instance(
        CreateGaussMySqlInstanceRequest(body=new_instance("restored-01", restore_point=point)))
    emulator.control("POST", f"/_emulator/jobs/{created.job_id}/fail", {"reason": "no capacity"})
    snapshot = emulator.control("GET", "/_emulator/snapshot")
    VALIDATOR.validate(snapshot)
    jobs = {j.get("type"): j for j in snapshot["projects"][0]["jobs"]}
    assert jobs["restore"]["status"] == "Running" and "finish_at" in jobs["restore"]
    assert jobs["create_instance"]["fail_reason"] == "no capacity"
    assert jobs["create_instance"]["source_instance_id"] == INSTANCE


def test_a_snapshot_with_a_catalogue_of_its_own_is_valid_fixtures(emulator):
    catalog = {
        "flavors": [{"spec_code": "test.small", "vcpus": 1, "ram": "2", "az_status": ["normal", "unsupported", "normal"]}],
        "engine_versions": [{"name": "8.0", "version": "8.0.30"}],
        "templates": [{"id": "t-1", "name": "Mine", "created": "2026-01-02T03:04:05Z"}],
    }
    VALIDATOR.validate({"catalog": catalog, "projects": []})
    emulator.control("POST", "/_emulator/fixtures", {"catalog": catalog, "projects": []})
    snapshot = emulator.control("GET", "/_emulator/snapshot")
    assert sorted(snapshot["catalog"]) == ["engine_versions", "flavors", "templates"]
    VALIDATOR.validate(snapshot)


MASTER = "a" * 32 + "no07"
REPLICA = "b" * 32 + "no07"
PARTS = {"id": "0" * 31 + "1", "tokens": ["parts-token"],
         "quotas": {"instances": 5, "enterprise_projects": [
             {"enterprise_project_id": "ep-1", "enterprise_project_name": "team",
              "instance_quota": 3, "vcpus_quota": -1, "ram_quota": 64}]},
         "instances": [{
             "id": "c" * 32 + "in07", "nodes": [
                 {"id": MASTER, "name": "db_node01", "type": "master", "priority": 1,
                  "az_code": "eu-de-01", "private_ip": "192.168.0.2", "created": "2026-01-01T00:00:00Z"},
                 {"id": REPLICA, "name": "db_node02", "type": "slave", "priority": 1,
                  "az_code": "eu-de-01", "private_ip": "192.168.0.3", "created": "2026-01-01T00:00:00Z"}],
             "proxies": [{"pool_id": "d" * 32 + "po01", "flavor_ref": "gaussdb.proxy.large.x86.2",
                          "nodes": ["e" * 32 + "pn01", "f" * 32 + "pn01"], "master_weight": 10,
                          "weights": {REPLICA: 300}}],
             "sql_filter": {"switch_status": "ON", "rules": [
                 {"node_id": MASTER, "sql_type": "select", "pattern": "select~from~t1", "max_concurrency": 10}]},
             "logs": {"error_logs": [{"content": "[MY013508] [Repl] do failed: 1", "level": "WARNING"}],
                      "slow_logs": [{"query_sample": "select 1", "query_time": 1.5, "node_id": REPLICA}]}}],
         "jobs": [{"id": "dff1d289-4d03-4942-8b9f-463ea07c000e", "type": "proxy", "instance_id": "c" * 32 + "in07",
                   "status": "Running", "created": "2026-01-01T00:00:00Z", "held": True,
                   "proxy_change": {"action": "resize", "pool_id": "d" * 32 + "po01",
                                    "flavor": "gaussdb.proxy.xlarge.x86.2"}}]}


def test_a_snapshot_with_proxies_sql_rules_logs_quotas_and_a_running_proxy_job_is_valid_fixtures(emulator):
    document = {"projects": [PARTS]}
    VALIDATOR.validate(document)
    emulator.control("POST", "/_emulator/fixtures", document)
    snapshot = emulator.control("GET", "/_emulator/snapshot")
    VALIDATOR.validate(snapshot)
    [project] = [p for p in snapshot["projects"] if p["id"] == PARTS["id"]]
    [instance] = project["instances"]
    assert instance["proxies"][0]["weights"] == {REPLICA: 300}
    assert instance["sql_filter"]["rules"][0]["sql_type"] == "SELECT"
    assert instance["logs"]["slow_logs"][0]["node_id"] == REPLICA
    assert project["quotas"]["instances"] == 5
    assert project["jobs"][0]["proxy_change"]["action"] == "resize"


@pytest.mark.parametrize(
    "broken",
    [
        {"projets": []},
        {"catalog": {"flavors": []}, "projects": []},
        {"catalog": {"flavors": [{"spec_code": "x", "vcpus": 0, "ram": 1}]}, "projects": []},
        {"catalog": {"templates": [{"id": "t", "name": "n", "user": True}]}, "projects": []},
        {"projects": [{"id": "not-hex"}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "prot": 3306}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "status": "RUNNING"}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x"}], "jobs": [
            {"id": "dff1d289-4d03-4942-8b9f-463ea07c000d", "type": "restore", "instance_id": "x",
             "status": "Running", "created": "2026-01-01T00:00:00+0000", "backup_id": "b"}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x"}], "jobs": [
            {"id": "dff1d289-4d03-4942-8b9f-463ea07c000d", "instance_id": "x",
             "status": "Completed", "created": "2026-01-01T00:00:00+0000"}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "proxies": [
            {"pool_id": "p", "flavor_ref": "gaussdb.mysql.large.x86.4", "nodes": ["n"]}]}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "sql_filter": {"switch_status": "on"}}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "logs": {"error_logs": [{"level": "INFO"}]}}]}]},
        {"projects": [{"id": "0" * 32, "quotas": {"enterprise_projects": [
            {"enterprise_project_id": "e", "enterprise_project_name": "e", "instance_quota": -2,
             "vcpus_quota": 1, "ram_quota": 1}]}}]},
    ],
)
def test_what_the_emulator_refuses_the_schema_refuses(broken, emulator):
    assert not VALIDATOR.is_valid(broken)
    with pytest.raises(urllib.error.HTTPError) as refused:
        emulator.control("POST", "/_emulator/fixtures", broken)
    assert refused.value.code == 400
