"""A TaurusDB instance through OpenTofu and the OTC provider (v1.37.2, built from source by
scripts/terraform-env): tests/terraform/instance, shaped like the provider's own acceptance
test (the network found by data sources), created with a backup strategy, a read replica and
a backup, planned clean, imported into a fresh state, updated (name, flavor, replicas, port,
backup strategy: one apply each, each planned clean after it) and destroyed, with the catalogue and instance data sources read back.

The provider waits about 300 s after it creates an instance (180 s before its first poll, then
120 s "to avoid a db connection issue") and 10 to 30 s around every other step, whatever the
backend does; the emulator completes each job on the read that polls it (--lifecycle instant),
so no step waits longer than the provider does.
"""

import time

from conftest import Emulator, ROOT
from test_terraform import Workspace

CONFIGURATION = ROOT / "tests" / "terraform" / "instance" / "main.tf"
ADDRESS = "opentelekomcloud_taurusdb_mysql_instance_v3.instance"


def workspace(path, emulator, **variables):
    """A workspace of the instance configuration: these variables, and room for the provider's
    pace (an apply that creates an instance takes over five minutes)."""
    return Workspace(path, emulator, configuration=CONFIGURATION.read_text(), variables=variables,
                     timeout=1200)


def test_an_instance_is_created_planned_clean_imported_updated_and_destroyed(tmp_path):
    emulator = Emulator(tmp_path, "--auth", "strict", "--lifecycle", "instant")
    timings = {}
    try:
        work = workspace(tmp_path / "applied", emulator)
        started = time.monotonic()
        work.apply()
        timings["create"] = time.monotonic() - started

        outputs = work.outputs()
        created = work.resources()[ADDRESS]
        instance_id = created["id"]
        assert created["status"] == "ACTIVE"
        assert (created["flavor"], created["read_replicas"], created["port"]) == (
            "gaussdb.mysql.xlarge.x86.8", 1, 3306)
        assert created["datastore"] == [{"engine": "gaussdb-mysql", "version": "8.0"}]
        assert created["backup_strategy"] == [{"start_time": "03:00-04:00", "keep_days": 7}]
        assert created["volume_size"] == 0
        assert outputs["vpc_id"]["value"] == created["vpc_id"]
        read = outputs["read"]["value"]
        assert read["id"] == instance_id
        assert (read["flavor"], read["read_replicas"], read["port"]) == ("gaussdb.mysql.xlarge.x86.8", 1, 3306)
        assert read["datastore"][0]["version"] == "8.0.22"
        node = read["nodes"][0]
        assert (node["type"], node["status"]) == ("master", "ACTIVE")
        assert {v["name"] for v in outputs["versions"]["value"]} == {"8.0"}
        assert "gaussdb.mysql.2xlarge.x86.8" in {f["name"] for f in outputs["flavors"]["value"]}
        assert outputs["configuration"]["value"]["id"] == "43570e0de32e40c5a15f831aa5ce4176pr07"
        assert outputs["configurations"]["value"][0]["datastore_name"]
        [backup] = emulator.control("GET", "/_emulator/state")["projects"][0]["backups"][:1]
        assert backup["status"] == "COMPLETED"

        started = time.monotonic()
        work.assert_plan_clean("a plan right after the apply changes nothing")
        timings["plan"] = time.monotonic() - started

        imported = workspace(tmp_path / "imported", emulator)
        started = time.monotonic()
        imported.run("import", "-input=false", "-no-color", *imported.variables, ADDRESS, instance_id)
        timings["import"] = time.monotonic() - started
        # Import reads every attribute but the password (the API never shows it) and the
        # provider's own `timeouts` block.
        unread = lambda values: {k: v for k, v in values.items() if k not in ("password", "timeouts")}  # noqa: E731
        assert unread(imported.resources()[ADDRESS]) == unread(work.resources()[ADDRESS])

        # The same directory and state, one change at a time, each planned clean after it.
        updated = work
        changes = [
            ("name", "tf_taurusdb_renamed"),
            ("flavor", "gaussdb.mysql.2xlarge.x86.8"),
            ("read_replicas", 2),
            ("port", 3307),
            ("keep_days", 8),
        ]
        for variable, value in changes:
            updated.variables += ["-var", f"{variable}={value}"]
            started = time.monotonic()
            updated.apply()
            timings[f"update {variable}"] = time.monotonic() - started
            after = updated.resources()[ADDRESS]
            if variable == "keep_days":
                assert after["backup_strategy"] == [{"start_time": "03:00-04:00", "keep_days": 8}]
            else:
                assert after[variable] == value, (variable, after[variable])
            updated.assert_plan_clean(f"a plan right after the {variable} update changes nothing")
        after = updated.resources()[ADDRESS]
        assert (after["name"], after["flavor"], after["read_replicas"], after["port"]) == (
            "tf_taurusdb_renamed", "gaussdb.mysql.2xlarge.x86.8", 2, 3307)
        held = emulator.control("GET", "/_emulator/state")["projects"][0]["instances"]
        [held] = [i for i in held if i["id"] == instance_id]
        assert (held["name"], held["flavor_ref"], held["port"]) == (
            "tf_taurusdb_renamed", "gaussdb.mysql.2xlarge.x86.8", "3307")

        started = time.monotonic()
        updated.run("destroy", "-auto-approve", "-input=false", "-no-color", *updated.variables)
        timings["destroy"] = time.monotonic() - started
        state = emulator.control("GET", "/_emulator/state")["projects"][0]
        assert instance_id not in {i["id"] for i in state["instances"]}
        assert updated.resources() == {}
        print("terraform steps (s):", {k: round(v) for k, v in timings.items()})
    finally:
        emulator.stop()
