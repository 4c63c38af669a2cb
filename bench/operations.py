#!/usr/bin/env python3
"""Instructions per request of each API operation, counted by callgrind, each against its
ceiling in bench/ceilings.json: a change that makes an operation costlier than its ceiling
fails the run.

    bench/operations.py BINARY [ARGS...]          # prints a markdown table; exit 1 past a ceiling
    CEILINGS=write bench/operations.py BINARY ... # (re)writes the ceilings: 1.1x each count

One emulator runs under `valgrind --tool=callgrind` with instrumentation off; for each
operation the script checks one request answers as it should, warms up, then turns
instrumentation on for N requests on one keep-alive connection (`callgrind_control
--instr=on`, `--zero`, `--dump`) and divides. Requests are sent one after another; the
emulator runs with a zero backup duration so that each job a request starts has ended by the
next request, and a change can be repeated. An operation that needs something made first
(a delete needs a backup) is counted as the pair, less the separately counted making. The
built-in fixtures' project, instance and network are used. Operations that cannot be
repeated as they are (a creation that uses up a quota, a deletion that needs something made
for each request) are counted alone: instrumentation on for their request only, which also
counts the worker's wake-up from waiting (a show_instance is counted both ways, to compare).
Environment: WARMUP (20), REQUESTS (200), ISOLATED_REQUESTS (20).
"""

import glob
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instructions import INSTANCE, PROJECT, control, start  # noqa: E402

WARMUP = int(os.environ.get("WARMUP", "20"))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
CEILINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ceilings.json")
P = f"/v3/{PROJECT}"
INST = f"{P}/instances/{INSTANCE}"
VPC, SUBNET, GROUP = ("3cedfc54-b105-4652-a4e0-847b11576b58", "c1cfa53c-65d3-431e-8552-326bf310c7ad",
                      "ee83dccd-4e82-4bdb-ae84-5ccd4e83d55b")
# The logs' window: the last day (the API takes at most the last 30).
_NOW = time.gmtime()
WINDOW = (f"start_date={time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(time.time() - 86400))}%2B0000"
          f"&end_date={time.strftime('%Y-%m-%dT%H:%M:%S', _NOW)}%2B0000")


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, method, path, body=None):
        headers = {"X-Auth-Token": "bench-token"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, None


def backup(client, name="bench-backup"):
    status, body = client.send("POST", f"{P}/backups/create", {"instance_id": INSTANCE, "name": name})
    assert status == 201, (status, body)
    return body


def operations(client):
    """(name, request maker, expected status, the operation counted with it, if any): a request
    maker is called once per request with the client and answers the request to send."""
    created = backup(client)
    job = created["job_id"]
    node = client.send("GET", INST)[1]["instance"]["nodes"][0]["id"]
    replica = client.send("POST", f"{INST}/nodes/enlarge", {"priorities": [1]})
    assert replica[0] == 201, replica
    client.send("GET", INST)
    proxy = client.send("POST", f"{INST}/proxy", {"flavor_ref": "gaussdb.proxy.large.x86.2", "node_num": 2})
    assert proxy[0] == 201, proxy
    proxy_id = client.send("GET", f"{INST}/proxies")[1]["proxy_list"][0]["proxy"]["pool_id"]
    client.send("POST", f"{INST}/sql-filter/switch", {"switch_status": "ON"})
    token = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "emulator", "password": "emulator-password", "domain": {"name": "OTC-EU-DE-emulator"}}}},
        "scope": {"project": {"id": PROJECT}}}}
    rule = {"sql_filter_rules": [{"node_id": node, "rules": [{"sql_type": "SELECT", "patterns": [
        {"pattern": "select~from~t1", "max_concurrency": 10}]}]}]}
    quota = {"quota_list": [{"enterprise_project_id": "0", "enterprise_project_name": "default",
                             "instance_quota": 100, "vcpus_quota": -1, "ram_quota": -1}]}
    alternate = lambda i, a, b: a if i % 2 else b  # noqa: E731
    get = lambda path: (lambda c, i: ("GET", path, None))  # noqa: E731
    yield from [
        ("versions", get("/"), 200, None),
        ("version", get("/v3"), 200, None),
        ("create", lambda c, i: ("POST", f"{P}/backups/create", {"instance_id": INSTANCE, "name": "bench-backup"}), 201, None),
        ("list", get(f"{P}/backups?instance_id={INSTANCE}&limit=10"), 200, None),
        ("job", get(f"{P}/jobs?id={job}"), 200, None),
        ("list_instances", get(f"{P}/instances"), 200, None),
        ("show_instance", get(INST), 200, None),
        ("show_policy", get(f"{INST}/backups/policy"), 200, None),
        ("update_policy", lambda c, i: ("PUT", f"{INST}/backups/policy/update", {"backup_policy": {
            "start_time": "19:00-20:00", "keep_days": 7, "period": "1,2,3,4,5,6,7"}}), 200, None),
        ("iam_tokens", lambda c, i: ("POST", "/v3/auth/tokens", token), 201, None),
        ("iam_projects", get("/v3/projects"), 200, None),
        ("instance_backups", get(f"{INST}/backups"), 200, None),
        ("restore_time", get(f"{INST}/restore-time"), 200, None),
        ("incremental_backups", get(f"{INST}/incremental-backups?begin_time=2026-01-01T00:00:00%2B0000&end_time=2099-01-01T00:00:00%2B0000"), 200, None),
        ("show_encryption", get(f"{INST}/backups/encryption"), 200, None),
        ("rename_instance", lambda c, i: ("PUT", f"{INST}/name", {"name": alternate(i, "bench-a", "bench-b")}), 200, None),
        ("reset_password", lambda c, i: ("POST", f"{INST}/password", {"password": "Bench-pass1!"}), 200, None),
        ("change_port", lambda c, i: ("PUT", f"{INST}/port", {"port": alternate(i, 3307, 3306)}), 200, None),
        ("show_monitoring", get(f"{INST}/monitor-policy"), 200, None),
        ("set_monitoring", lambda c, i: ("PUT", f"{INST}/monitor-policy", {"monitor_switch": True, "period": alternate(i, 1, 5)}), 200, None),
        ("list_flavors", get(f"{P}/flavors/gaussdb-mysql?version_name=8.0&availability_zone_mode=single"), 200, None),
        ("list_datastores", get(f"{P}/datastores/gaussdb-mysql"), 200, None),
        ("list_configurations", get(f"{P}/configurations"), 200, None),
        ("instance_configurations", get(f"{INST}/configurations"), 200, None),
        ("list_vpcs", get(f"/v1/{PROJECT}/vpcs"), 200, None),
        ("show_vpc", get(f"/v1/{PROJECT}/vpcs/{VPC}"), 200, None),
        ("list_subnets", get(f"/v1/{PROJECT}/subnets"), 200, None),
        ("show_subnet", get(f"/v1/{PROJECT}/subnets/{SUBNET}"), 200, None),
        ("list_security_groups", get("/v2.0/security-groups"), 200, None),
        ("show_security_group", get(f"/v2.0/security-groups/{GROUP}"), 200, None),
        ("resize_proxy", lambda c, i: ("PUT", f"{INST}/proxy/{proxy_id}/flavor", {"flavor_ref": alternate(
            i, "gaussdb.proxy.xlarge.x86.2", "gaussdb.proxy.large.x86.2")}), 200, None),
        ("set_proxy_weights", lambda c, i: ("PUT", f"{INST}/proxy/{proxy_id}/weight", {"master_weight": alternate(i, 10, 20)}), 200, None),
        ("list_proxies", get(f"{INST}/proxies"), 200, None),
        ("proxy_flavors", get(f"{INST}/proxy/flavors"), 200, None),
        ("show_sql_filter_switch", get(f"{INST}/sql-filter/switch"), 200, None),
        ("set_sql_filter_switch", lambda c, i: ("POST", f"{INST}/sql-filter/switch", {"switch_status": "ON"}), 200, None),
        ("set_sql_filter_rules", lambda c, i: ("PUT", f"{INST}/sql-filter/rules", rule), 200, None),
        ("show_sql_filter_rules", get(f"{INST}/sql-filter/rules?node_id={node}"), 200, None),
        ("error_logs", get(f"{INST}/errorlog?{WINDOW}&node_id={node}"), 200, None),
        ("slow_logs", get(f"{INST}/slowlog?{WINDOW}&node_id={node}"), 200, None),
        ("list_quotas", get(f"{P}/quotas"), 200, None),
        ("update_quotas", lambda c, i: ("PUT", f"{P}/quotas", quota), 200, None),
        ("project_quotas", get(f"{P}/project-quotas"), 200, None),
        ("set_quotas", lambda c, i: ("POST", f"{P}/quotas", quota), 201, None),
        ("set_encryption", lambda c, i: ("POST", f"{INST}/backups/encryption", {"encryption_status": "off"}), 200, None),
        ("set_offsite_policy", lambda c, i: ("PUT", f"{INST}/backups/offsite-policy", {"backup_policy": {
            "open_auto_backup": False, "open_incremental_backup": False, "destination_project_id": PROJECT,
            "destination_region": "eu-nl", "keep_days": 7}}), 200, None),
        ("resize_flavor", lambda c, i: ("POST", f"{INST}/action", {"resize_flavor": {"spec_code": alternate(
            i, "gaussdb.mysql.2xlarge.x86.8", "gaussdb.mysql.xlarge.x86.8")}}), 200, None),
        ("restore_instance", lambda c, i: ("POST", f"{P}/instances/restore", {
            "source_instance_id": INSTANCE, "target_instance_id": INSTANCE, "type": "backup",
            "backup_id": created["backup"]["id"]}), 200, None),
        # Pairs: the operation, after what it needs was made.
        ("delete", lambda c, i: ("DELETE", f"{P}/backups/{backup(c)['backup']['id']}", None), 200, "create"),
        ("batch_delete", lambda c, i: ("DELETE", f"{P}/backups", {"backup_ids": [backup(c)["backup"]["id"]]}),
         200, "create"),
    ]


ISOLATED_REQUESTS = int(os.environ.get("ISOLATED_REQUESTS", "20"))


def instance_body(name):
    return {"name": name, "region": "eu-de", "datastore": {"type": "gaussdb-mysql", "version": "8.0"},
            "mode": "Cluster", "flavor_ref": "gaussdb.mysql.xlarge.x86.4", "vpc_id": VPC,
            "subnet_id": SUBNET, "password": "Test@12345678", "availability_zone_mode": "single",
            "master_availability_zone": "eu-de-01", "slave_count": 0}


def replica(client):
    """A read replica's id: the newest node of the built-in instance."""
    nodes = client.send("GET", INST)[1]["instance"]["nodes"]
    return [n for n in nodes if n["type"] == "slave"][-1]["id"]


def proxy_id(client):
    return client.send("GET", f"{INST}/proxies")[1]["proxy_list"][-1]["proxy"]["pool_id"]


def isolated(client):
    """(name, set-up before, the request, expected status, tidy-up after): operations that cannot
    be repeated as they are (each needs something made first, or leaves something that limits
    the next): only the request is counted, instrumentation on for it alone."""
    proxy = {"flavor_ref": "gaussdb.proxy.large.x86.2", "node_num": 2}
    made = {}

    def new_instance(c):
        made["instance"] = c.send("POST", f"{P}/instances", instance_body("bench-made"))[1]["instance"]["id"]
        c.send("GET", f"{P}/instances/{made['instance']}")

    def new_replica(c):
        c.send("POST", f"{INST}/nodes/enlarge", {"priorities": [1]})
        made["node"] = replica(c)

    def new_proxy(c):
        for pool in c.send("GET", f"{INST}/proxies")[1]["proxy_list"]:
            c.send("DELETE", f"{INST}/proxy", {"proxy_ids": [pool["proxy"]["pool_id"]]})
        c.send("POST", f"{INST}/proxy", proxy)
        made["proxy"] = proxy_id(c)

    rule = lambda node: {"sql_filter_rules": [{"node_id": node, "rules": [  # noqa: E731
        {"sql_type": "UPDATE", "patterns": [{"pattern": "update~t9", "max_concurrency": 5}]}]}]}
    node = lambda c: c.send("GET", INST)[1]["instance"]["nodes"][0]["id"]  # noqa: E731
    nothing = lambda c: None  # noqa: E731
    yield from [
        # For comparison with its count above: a request alone also counts the worker's
        # wake-up from waiting and its going back to wait.
        ("show_instance_alone", nothing, lambda c: ("GET", INST, None), 200, nothing),
        ("create_instance", nothing, lambda c: ("POST", f"{P}/instances", instance_body("bench-new")), 201,
         lambda c: c.send("GET", f"{P}/instances?limit=1")),
        ("delete_instance", new_instance, lambda c: ("DELETE", f"{P}/instances/{made['instance']}", None), 200,
         lambda c: c.send("GET", f"{P}/instances?limit=1")),
        ("add_replicas", nothing, lambda c: ("POST", f"{INST}/nodes/enlarge", {"priorities": [1]}), 201,
         lambda c: c.send("DELETE", f"{INST}/nodes/{replica(c)}")),
        ("delete_node", new_replica, lambda c: ("DELETE", f"{INST}/nodes/{made['node']}", None), 200,
         lambda c: c.send("GET", INST)),
        ("disable_proxy", new_proxy, lambda c: ("DELETE", f"{INST}/proxy", {"proxy_ids": [made["proxy"]]}), 200,
         lambda c: c.send("GET", INST)),
        ("enable_proxy", nothing, lambda c: ("POST", f"{INST}/proxy", proxy), 201,
         lambda c: c.send("DELETE", f"{INST}/proxy", {"proxy_ids": [proxy_id(c)]})),
        ("enlarge_proxy", new_proxy, lambda c: ("POST", f"{INST}/proxy/enlarge",
                                                {"node_num": 1, "proxy_id": made["proxy"]}), 201,
         lambda c: c.send("GET", INST)),
        ("delete_sql_filter_rules", lambda c: c.send("PUT", f"{INST}/sql-filter/rules", rule(node(c))),
         lambda c: ("DELETE", f"{INST}/sql-filter/rules", {"sql_filter_rules": [{"node_id": node(c), "rules": [
             {"sql_type": "UPDATE", "patterns": ["update~t9"]}]}]}), 200, lambda c: c.send("GET", INST)),
    ]


def counted_alone(server, out, client, before, make, expect, after):
    """Instructions of `make`'s request alone, ISOLATED_REQUESTS times, or what went wrong."""
    control(server, "--zero")
    for i in range(ISOLATED_REQUESTS):
        before(client)
        request = make(client)
        control(server, "--instr=on")
        status, answer = client.send(*request)
        control(server, "--instr=off")
        if status != expect:
            return None, f"answered {status} on request {i}: {json.dumps(answer)[:120]}"
        after(client)
    return dumped(server, out) / ISOLATED_REQUESTS, None


def shown(n):
    """A count as the tables show it: 1 234 567."""
    return f"{n:,.0f}".replace(",", " ")


def dumped(server, out):
    """The instructions counted since the last zeroing, dumped now."""
    control(server, "--dump")
    dumps = sorted(glob.glob(f"{out}.{server.pid}*"), key=os.path.getmtime)
    lines = [line.split() for line in open(dumps[-1]) if line.startswith(("totals:", "summary:"))]
    return max(int(words[1]) for words in lines)


def counted(server, out, client, make, expect):
    """Instructions per request of `make`, or the status it answered instead of `expect`."""
    method, path, body = make(client, 0)
    status, answer = client.send(method, path, body)
    if status != expect:
        return None, f"answered {status}: {json.dumps(answer)[:120]}"
    for i in range(WARMUP):
        client.send(*make(client, i + 1))
    control(server, "--zero")
    control(server, "--instr=on")
    for i in range(REQUESTS):
        status, _ = client.send(*make(client, i))
        if status != expect:
            control(server, "--instr=off")
            return None, f"answered {status} on request {i}"
    total = dumped(server, out)
    control(server, "--instr=off")
    return total / REQUESTS, None


def main():
    command = sys.argv[1:]
    if not command:
        raise SystemExit(__doc__)
    ceilings = json.load(open(CEILINGS)) if os.path.exists(CEILINGS) else {}
    measured, failures = {}, []
    rows = ["| operation | instructions per request | ceiling | result |", "| --- | --- | --- | --- |"]

    def record(name, name_shown, per, problem):
        if per is None:
            rows.append(f"| {name_shown} | not counted: {problem} | | **missed** |")
            failures.append(name)
            return
        measured[name] = per
        ceiling = ceilings.get(name)
        result = "met" if ceiling is not None and per <= ceiling else "**missed**"
        if result != "met":
            failures.append(name)
        rows.append(f"| {name_shown} | {shown(per)} | {shown(ceiling) if ceiling else 'none'} | {result} |")

    with tempfile.TemporaryDirectory() as work:
        server, port, out = start(command, work, instrument_at_start=False)
        client = Client(port)
        try:
            for name, make, expect, less in operations(client):
                per, problem = counted(server, out, client, make, expect)
                if per is not None and less is not None:
                    per -= measured[less]
                    name_shown = f"{name} (each after a {less}, less the {less})"
                else:
                    name_shown = name
                record(name, name_shown, per, problem)
            for name, before, make, expect, after in isolated(client):
                per, problem = counted_alone(server, out, client, before, make, expect, after)
                record(name, f"{name} (alone, {ISOLATED_REQUESTS} requests)", per, problem)
        finally:
            server.terminate()
            server.wait(timeout=60)
    if os.environ.get("CEILINGS") == "write":
        with open(CEILINGS, "w") as f:
            json.dump({n: int(math.ceil(v * 1.1 / 100) * 100) for n, v in measured.items()}, f, indent=1)
            f.write("\n")
        print(f"wrote {CEILINGS}", file=sys.stderr)
    print("\n".join(rows))
    if failures:
        print(f"past its ceiling or not counted: {', '.join(failures)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
