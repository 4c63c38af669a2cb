"""Database proxies, SQL control rules, quotas and logs through OpenTofu and the OTC provider
(v1.37.2, built from source by scripts/terraform-env): tests/terraform/proxy, shaped like the
provider's own acceptance tests (an instance with two read replicas, a proxy of two nodes
with read weights 50/50, a SELECT rule of concurrency 20, an enterprise project's quota of
10/20/30), with the proxy, proxy-flavor, project-quota, error-log and slow-log data sources.
Applied, planned clean, imported into a fresh state, updated (proxy flavor, three nodes,
weights 40/30, concurrency 30, quota 0/50/-1: one apply, planned clean after it) and destroyed.

The provider waits about 300 s after it creates the instance and 10 s before each job poll,
whatever the backend does; the emulator completes each job on the read that polls it
(--lifecycle instant).
"""

import datetime
import time

from conftest import Emulator, ROOT
from test_terraform import Workspace

CONFIGURATION = ROOT / "tests" / "terraform" / "proxy" / "main.tf"
INSTANCE = "opentelekomcloud_taurusdb_mysql_instance_v3.instance"
PROXY = "opentelekomcloud_taurusdb_mysql_proxy_v3.proxy"
RULE = "opentelekomcloud_taurusdb_mysql_sql_control_rule_v3.rule"
QUOTA = "opentelekomcloud_taurusdb_mysql_quota_v3.quota"
EP_ID = "d9a6e8f2-5c1b-4b7e-9a3f-2e8c6b1d0a47"


def workspace(path, emulator):
    """A workspace of the configuration, its log window the hour either side of now."""
    now = datetime.datetime.now(datetime.timezone.utc)
    window = {
        "log_start": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "log_end": (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }
    return Workspace(path, emulator, configuration=CONFIGURATION.read_text(), variables=window,
                     timeout=1200)


def held_instance(emulator, instance_id):
    """The instance as the emulator's snapshot writes it (the fixtures format)."""
    [held] = [i for i in emulator.control("GET", "/_emulator/snapshot")["projects"][0]["instances"]
              if i["id"] == instance_id]
    return held


def test_a_proxy_rule_and_quota_are_created_read_imported_updated_and_destroyed(tmp_path):
    emulator = Emulator(tmp_path, "--auth", "strict", "--lifecycle", "instant")
    timings = {}
    try:
        work = workspace(tmp_path / "applied", emulator)
        started = time.monotonic()
        work.apply()
        timings["create"] = time.monotonic() - started

        resources = work.resources()
        instance_id = resources[INSTANCE]["id"]
        nodes = resources[INSTANCE]["nodes"]
        master = [n["id"] for n in nodes if n["type"] == "master"][0]
        replica = [n["id"] for n in nodes if n["type"] == "slave"][0]
        proxy = resources[PROXY]
        assert (proxy["flavor"], proxy["node_num"], proxy["proxy_name"], proxy["status"], proxy["port"]) == (
            "gaussdb.proxy.large.x86.2", 2, "tf-proxy", "ACTIVE", 3306)
        assert proxy["master_node_weight"] == [{"id": master, "weight": 50}]
        assert proxy["readonly_nodes_weight"] == [{"id": replica, "weight": 50}]
        assert len(proxy["nodes"]) == 2 and proxy["address"]
        rule = resources[RULE]
        assert rule["id"] == f"{instance_id}/{master}/SELECT/select~from~t1"
        assert rule["max_concurrency"] == 20
        quota = resources[QUOTA]
        assert (quota["instance_quota"], quota["vcpus_quota"], quota["ram_quota"]) == (10, 20, 30)
        assert quota["availability_instance_quota"] == 10

        outputs = work.outputs()
        [listed] = outputs["proxies"]["value"]
        assert listed["id"] == proxy["id"] and listed["elb_vip"] and listed["transaction_split"] == "OFF"
        assert listed["master_node_weight"][0]["name"] and listed["readonly_nodes_weight"][0]["name"]
        [group] = outputs["proxy_flavors"]["value"]
        first = group["flavors"][0]
        assert (group["type"], first["vcpus"], first["ram"], first["db_type"]) == ("x86", "2", "4", "Proxy")
        assert first["az_status"] == {"eu-de-01": "normal", "eu-de-02": "normal", "eu-de-03": "normal"}
        [resource] = outputs["project_quotas"]["value"][0]["resources"]
        assert resource["type"] == "instance" and resource["used"] >= 1 and resource["quota"] == 1000
        assert any("ready for connections" in e["content"] for e in outputs["error_logs"]["value"])
        assert outputs["slow_logs"]["value"] == []
        held = held_instance(emulator, instance_id)
        assert held["sql_filter"]["rules"][0]["max_concurrency"] == 20
        assert held["proxies"][0]["status"] == "ACTIVE"

        # What a test's code would read: a slow query added through the control plane.
        emulator.control("POST", f"/_emulator/instances/{instance_id}/logs", {
            "slow_logs": [{"query_sample": "select * from t1", "query_time": 2.5, "rows_examined": 1000}]})
        work.apply()
        [slow] = work.outputs()["slow_logs"]["value"]
        assert (slow["query_sample"], slow["time"], slow["rows_examined"], slow["type"]) == (
            "select * from t1", "2.5 s", "1000", "SELECT")

        started = time.monotonic()
        work.assert_plan_clean("a plan right after the apply changes nothing")
        timings["plan"] = time.monotonic() - started

        imported = workspace(tmp_path / "imported", emulator)
        started = time.monotonic()
        for address, import_id in [(INSTANCE, instance_id), (PROXY, f"{instance_id}/{proxy['id']}"),
                                   (RULE, rule["id"]), (QUOTA, EP_ID)]:
            imported.run("import", "-input=false", "-no-color", *imported.variables, address, import_id)
        timings["import"] = time.monotonic() - started
        # What import cannot read back: the instance's password, a proxy's mode (the list
        # does not show it) and which replicas' weights the configuration names.
        ignored = {"password", "timeouts", "proxy_mode", "readonly_nodes_weight"}
        for address in (PROXY, RULE, QUOTA):
            unread = lambda values: {k: v for k, v in values.items() if k not in ignored}  # noqa: E731
            assert unread(imported.resources()[address]) == unread(work.resources()[address]), address

        work.variables += ["-var", "proxy_flavor=gaussdb.proxy.xlarge.x86.2", "-var", "proxy_nodes=3",
                           "-var", "master_weight=40", "-var", "replica_weight=30",
                           "-var", "max_concurrency=30", "-var", "instance_quota=0",
                           "-var", "vcpus_quota=50", "-var", "ram_quota=-1"]
        started = time.monotonic()
        work.apply()
        timings["update"] = time.monotonic() - started
        resources = work.resources()
        proxy = resources[PROXY]
        assert (proxy["flavor"], proxy["node_num"], len(proxy["nodes"])) == ("gaussdb.proxy.xlarge.x86.2", 3, 3)
        assert proxy["master_node_weight"] == [{"id": master, "weight": 40}]
        assert proxy["readonly_nodes_weight"] == [{"id": replica, "weight": 30}]
        assert resources[RULE]["max_concurrency"] == 30
        quota = resources[QUOTA]
        assert (quota["instance_quota"], quota["vcpus_quota"], quota["ram_quota"]) == (0, 50, -1)
        listed = work.outputs()["proxies"]["value"][0]
        assert (listed["flavor"], listed["vcpus"], listed["ram"], listed["node_num"]) == (
            "gaussdb.proxy.xlarge.x86.2", "4", "8", 3)
        work.assert_plan_clean("a plan right after the update changes nothing")

        started = time.monotonic()
        work.run("destroy", "-auto-approve", "-input=false", "-no-color", *work.variables)
        timings["destroy"] = time.monotonic() - started
        state = emulator.control("GET", "/_emulator/state")["projects"][0]
        assert instance_id not in {i["id"] for i in state["instances"]}
        assert work.resources() == {}
        # The provider's quota deletion forgets the resource only: the quota stays set.
        api = emulator.control("GET", "/_emulator/snapshot")["projects"][0]
        assert {"enterprise_project_id": EP_ID, "enterprise_project_name": "tf-emulator",
                "instance_quota": 0, "vcpus_quota": 50, "ram_quota": -1} in api["quotas"]["enterprise_projects"]
        print("terraform steps (s):", {k: round(v) for k, v in timings.items()})
    finally:
        emulator.stop()
