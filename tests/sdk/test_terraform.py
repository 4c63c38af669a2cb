"""OpenTofu with the Open Telekom Cloud provider, both built from source by
scripts/terraform-env, applying tests/terraform/backup against the emulator.

The provider logs in with a password against the emulator's IAM and finds TaurusDB through
the token's catalog, as against the real cloud; nothing is fetched from a registry (the CLI
configuration's dev_overrides). The provider waits 10 s before its first create and before
its first status poll, so an apply takes about 20 s; the emulator completes backups on their
first read (--lifecycle instant), so no test waits longer than the provider does.
"""

import json
import re
import os
import shutil
import subprocess

import pytest

from conftest import BINARY, INSTANCE, ROOT, Emulator

TERRAFORM = ROOT / "target" / "terraform"
TOFU = TERRAFORM / "tofu"
CONFIGURATION = ROOT / "tests" / "terraform" / "backup" / "main.tf"
ANOTHER_OPERATION = {
    "operation": "create",
    "count": 1,
    "status": 409,
    "error_code": "DBS.200019",
    "error_msg": "Another operation is being performed on the DB instance or the DB instance is faulty.",
}


def error_body(fault):
    """The API's error body of a request fault, as the provider prints it."""
    return json.dumps({"error_code": fault["error_code"], "error_msg": fault["error_msg"]}, separators=(",", ":"))


class Workspace:
    """One working directory (one state) running tofu against an emulator."""

    def __init__(self, path, emulator, cacert=None, configuration=None, variables=None, timeout=300):
        """`variables` replace the backup configuration's (`instance_id`); `timeout` bounds each
        tofu command, in seconds."""
        if not TOFU.exists():
            pytest.fail("OpenTofu and the provider are not built: run scripts/terraform-env")
        path.mkdir()
        if configuration is None:
            shutil.copy(CONFIGURATION, path / "main.tf")
        else:
            (path / "main.tf").write_text(configuration)
        self.path = path
        if variables is None:
            variables = {"instance_id": INSTANCE}
        self.variables = ["-var", f"auth_url={emulator.base}/v3"]
        for key, value in variables.items():
            self.variables += ["-var", f"{key}={value}"]
        self.timeout = timeout
        if cacert:
            self.variables += ["-var", f"cacert_file={cacert}"]
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(TERRAFORM / "tofurc"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_DATA_DIR": str(path / ".terraform"),
        }

    def run(self, *args, check=True):
        command = [str(TOFU), f"-chdir={self.path}", *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=self.timeout)
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(args[:1])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def apply(self, check=True):
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *self.variables, check=check)

    def plan_exit_code(self):
        """0: nothing to change; 2: changes (-detailed-exitcode)."""
        return self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", *self.variables, check=False).returncode

    def assert_plan_clean(self, why):
        """A plan changes nothing; else the assertion shows what it would change."""
        done = self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", *self.variables, check=False)
        assert done.returncode == 0, f"{why}:\n{done.stdout}\n{done.stderr}"

    def outputs(self):
        return json.loads(self.run("output", "-json").stdout)

    def resources(self):
        state = json.loads(self.run("show", "-json").stdout)
        return {r["address"]: r["values"] for r in state.get("values", {}).get("root_module", {}).get("resources", [])}


@pytest.fixture
def emulator(tmp_path):
    running = Emulator(tmp_path, "--auth", "strict", "--lifecycle", "instant")
    yield running
    running.stop()


def test_apply_read_back_plan_import_and_destroy(emulator, tmp_path):
    work = Workspace(tmp_path / "applied", emulator)
    work.apply()

    outputs = work.outputs()
    backup = outputs["backup"]["value"]
    assert backup["instance_id"] == INSTANCE
    assert (backup["name"], backup["description"]) == ("nightly", "taken by OpenTofu")
    assert backup["datastore"] == [{"type": "gaussdb-mysql", "version": "8.0"}]
    assert backup["size"] > 0 and isinstance(backup["take_up_time"], int)
    assert backup["region"] == "eu-de"
    [stored] = emulator.control("GET", "/_emulator/state")["projects"][0]["backups"]
    assert (stored["id"], stored["status"]) == (backup["id"], "COMPLETED")

    [listed] = outputs["listed"]["value"]
    assert (listed["id"], listed["status"], listed["type"]) == (backup["id"], "COMPLETED", "manual")
    assert (listed["begin_time"], listed["end_time"]) == (backup["begin_time"], backup["end_time"])
    instance = outputs["instance"]["value"]
    assert (instance["id"], instance["status"], instance["port"]) == (INSTANCE, "ACTIVE", 3306)
    assert instance["datastore"][0]["engine"] == "gaussdb-mysql"
    assert instance["backup_strategy"][0]["start_time"] == "19:00-20:00"

    assert work.plan_exit_code() == 0

    imported = Workspace(tmp_path / "imported", emulator)
    imported.run("import", "-input=false", "-no-color", *imported.variables,
                 "opentelekomcloud_taurusdb_mysql_backup_v3.nightly", backup["id"])
    address = "opentelekomcloud_taurusdb_mysql_backup_v3.nightly"
    # Every attribute but the provider's own `timeouts` block, which import leaves empty.
    without_timeouts = lambda values: {k: v for k, v in values.items() if k != "timeouts"}  # noqa: E731
    assert without_timeouts(imported.resources()[address]) == without_timeouts(work.resources()[address])
    assert imported.plan_exit_code() == 0

    work.run("destroy", "-auto-approve", "-input=false", "-no-color", *work.variables)
    assert emulator.control("GET", "/_emulator/state")["projects"][0]["backups"] == []
    assert work.resources() == {}


def test_a_409_for_another_operation_fails_the_apply_and_the_next_apply_creates(emulator, tmp_path):
    # The provider means to retry this code (its retryErrCodes), but v1.37.2 checks the error
    # with a type assertion to golangsdk.ErrUnexpectedResponseCode while the SDK returns
    # golangsdk.ErrDefault409, so the retry never happens: what a user sees is the API's
    # error, whole, and a second apply that succeeds.
    emulator.control("POST", "/_emulator/faults/requests", ANOTHER_OPERATION)
    work = Workspace(tmp_path / "work", emulator)

    failed = work.apply(check=False)
    assert failed.returncode == 1
    assert "error creating TaurusDb MySQL backup" in failed.stderr and error_body(ANOTHER_OPERATION) in failed.stderr
    assert emulator.control("GET", "/_emulator/faults")["requests"][0]["hits"] == 1
    assert emulator.control("GET", "/_emulator/state")["projects"][0]["backups"] == []

    work.apply()
    [stored] = emulator.control("GET", "/_emulator/state")["projects"][0]["backups"]
    assert stored["id"] == work.outputs()["backup"]["value"]["id"]


def test_the_provider_reads_over_https_trusting_the_emulators_ca(tmp_path):
    ca = tmp_path / "ca.pem"
    running = Emulator(tmp_path, "--auth", "strict", "--tls", "--tls-ca-out", str(ca))
    try:
        assert running.base.startswith("https://")
        work = Workspace(tmp_path / "work", running, cacert=ca)
        # A plan logs in, reads the catalog and the instance data source: all over HTTPS.
        planned = work.run("plan", "-input=false", "-no-color", *work.variables)
        assert "data.opentelekomcloud_taurusdb_mysql_instance_v3.instance: Read complete" in planned.stdout
        assert "opentelekomcloud_taurusdb_mysql_backup_v3.nightly will be created" in planned.stdout
    finally:
        running.stop()


def test_the_ci_recipes_configuration_applies_against_the_built_in_fixtures(tmp_path):
    recipes = (ROOT / "docs" / "ci-recipes.md").read_text()
    [configuration] = [b.split("```")[0] for b in recipes.split("```hcl\n")[1:]]
    # The recipe pins the provider release this suite builds (the dev override ignores it).
    built = re.search(r"^PROVIDER_VERSION=v(\S+)$", (ROOT / "scripts" / "terraform-env").read_text(), re.M)
    assert f'version = "{built.group(1)}"' in configuration
    running = Emulator(tmp_path, "--auth", "strict", "--lifecycle", "instant", fixtures=None)
    try:
        work = Workspace(tmp_path / "recipe", running, configuration=configuration.replace(
            "http://127.0.0.1:18080", running.base))
        work.run("apply", "-auto-approve", "-input=false", "-no-color")
        [stored] = running.control("GET", "/_emulator/state")["projects"][0]["backups"]
        assert (stored["name"], stored["status"]) == ("nightly", "COMPLETED")
        work.run("destroy", "-auto-approve", "-input=false", "-no-color")
        assert running.control("GET", "/_emulator/state")["projects"][0]["backups"] == []
    finally:
        running.stop()


def test_the_provider_block_env_prints_reaches_the_emulator(emulator, tmp_path):
    # `taurusdb-emulator env --format terraform`, for the emulator of these fixtures, is the
    # whole provider configuration: the catalogue reads back through it.
    block = subprocess.run(
        [str(BINARY), "env", "--url", emulator.base, "--format", "terraform"],
        env={**os.environ, "TAURUSDB_EMULATOR_FIXTURES": str(tmp_path / "fixtures.json")},
        capture_output=True, text=True, timeout=10, check=True).stdout
    configuration = (
        'terraform {\n  required_providers {\n    opentelekomcloud = {\n'
        '      source  = "opentelekomcloud/opentelekomcloud"\n      version = "1.37.2"\n    }\n  }\n}\n\n'
        + block +
        '\ndata "opentelekomcloud_taurusdb_mysql_engine_versions_v3" "versions" {\n'
        '  database_name = "gaussdb-mysql"\n}\n\n'
        'output "versions" {\n  value = data.opentelekomcloud_taurusdb_mysql_engine_versions_v3.versions.datastores\n}\n')
    work = Workspace(tmp_path / "env", emulator, configuration=configuration, variables={})
    work.variables = []
    work.apply()
    assert [v["name"] for v in work.outputs()["versions"]["value"]] == ["8.0"]
