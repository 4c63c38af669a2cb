"""What the OTC Terraform provider (v1.37.2, built from source by scripts/terraform-env) does
when a call it means to retry answers 409: a backup create with each of the provider's retry
codes (and Huawei's DBS.212033), and an instance's backup-policy and port updates.

The provider lists the codes it retries (`retryErrCodes` in its taurusdb `common.go`) and
wraps these calls in a retry helper, but the helper checks the error with a type assertion to
`golangsdk.ErrUnexpectedResponseCode` while gophertelekomcloud answers every 409 with
`golangsdk.ErrDefault409`: no 409 is ever retried. What a user sees is the apply failing with
the API's error, whole, after one call. A provider release that fixes this fails these tests:
the fault would be hit, then the retry would go through.

The instance test spends about 300 s in the provider's own sleeps after the create; it runs
beside the other contract tests (scripts/test).
"""

import time

import pytest

from conftest import Emulator, INSTANCE, ROOT
from test_terraform import CONFIGURATION as BACKUP_CONFIGURATION, Workspace, error_body

# The instance test's configuration (an instance with a backup strategy, a replica and a
# backup), left at its defaults: only its port and backup strategy are changed here.
CONFIGURATION = ROOT / "tests" / "terraform" / "instance" / "main.tf"
ADDRESS = "opentelekomcloud_taurusdb_mysql_instance_v3.instance"
# The provider's retry codes, then the one only Huawei's provider adds.
RETRY_CODES = ["DBS.200019", "DBS.201014", "DBS.201015", "DBS.200047", "DBS.05000084", "DBS.212033"]


@pytest.fixture
def emulator(tmp_path):
    running = Emulator(tmp_path, "--auth", "strict", "--lifecycle", "instant")
    yield running
    running.stop()


def test_a_backup_create_answered_409_with_any_retry_code_fails_the_apply_at_once(emulator, tmp_path):
    # One backup resource per code, created in parallel: each create takes the next fault.
    configuration = BACKUP_CONFIGURATION.read_text().replace(
        'resource "opentelekomcloud_taurusdb_mysql_backup_v3" "nightly" {\n',
        'resource "opentelekomcloud_taurusdb_mysql_backup_v3" "nightly" {\n  count = %d\n' % len(RETRY_CODES),
    ).replace('name        = "nightly"', 'name        = "nightly-${count.index}"')
    configuration = configuration[:configuration.index('data "opentelekomcloud_taurusdb_mysql_backups_v3"')]
    faults = [
        emulator.control("POST", "/_emulator/faults/requests", {"operation": "create", "preset": code})
        for code in RETRY_CODES
    ]
    work = Workspace(tmp_path / "work", emulator, configuration=configuration, variables={"instance_id": INSTANCE})
    failed = work.apply(check=False)
    assert failed.returncode == 1
    for fault in faults:
        assert error_body(fault) in failed.stderr, fault["error_code"]
    listed = emulator.control("GET", "/_emulator/faults")["requests"]
    assert [f["hits"] for f in listed] == [1] * len(RETRY_CODES), "each create was tried once"
    creates = [r for r in emulator.control("GET", "/_emulator/requests")["requests"] if r["operation"] == "create"]
    assert len(creates) == len(RETRY_CODES), "no create was retried"
    assert emulator.control("GET", "/_emulator/state")["projects"][0]["backups"] == []


def test_a_409_on_the_backup_policy_or_port_update_fails_the_apply_at_once(emulator, tmp_path):
    work = Workspace(tmp_path / "work", emulator, configuration=CONFIGURATION.read_text(), variables={},
                     timeout=1200)
    started = time.monotonic()
    work.apply()
    created = time.monotonic() - started
    instance_id = work.resources()[ADDRESS]["id"]

    def held():
        [instance] = [i for i in emulator.control("GET", "/_emulator/state")["projects"][0]["instances"]
                      if i["id"] == instance_id]
        return instance

    steps = {}
    for variable, value, operation in [("keep_days", 8, "update_policy"), ("port", 3307, "change_port")]:
        emulator.control("DELETE", "/_emulator/requests")
        fault = emulator.control("POST", "/_emulator/faults/requests",
                                 {"operation": operation, "instance_id": instance_id, "preset": "busy"})
        started = time.monotonic()
        failed = work.run("apply", "-auto-approve", "-input=false", "-no-color", *work.variables,
                          "-var", f"{variable}={value}", check=False)
        steps[variable] = time.monotonic() - started
        assert failed.returncode == 1, failed.stdout
        assert error_body(fault) in failed.stderr
        [listed] = [f for f in emulator.control("GET", "/_emulator/faults")["requests"] if f["id"] == fault["id"]]
        assert listed["hits"] == 1, "tried once, not retried"
        calls = [r for r in emulator.control("GET", "/_emulator/requests")["requests"] if r["operation"] == operation]
        assert len(calls) == 1
    assert (held()["port"], held()["backup_strategy"]["keep_days"]) == ("3306", "7"), "nothing changed"

    # The same changes without the faults go through: the 409s were what failed them.
    work.variables += ["-var", "keep_days=8", "-var", "port=3307"]
    work.apply()
    assert (held()["port"], held()["backup_strategy"]["keep_days"]) == ("3307", "8")
    print("terraform steps (s):", {"create": round(created), **{k: round(v) for k, v in steps.items()}})
