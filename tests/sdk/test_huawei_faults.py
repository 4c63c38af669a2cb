"""What Huawei's Python SDK (huaweicloudsdkgaussdb, unchanged) does when a request fault
strikes a backup create or a list: the error it raises, whether it retries, and how many
backups exist afterwards. The SDK has no retries of its own (retry_times 0), so every fault
reaches the caller once; after commit, the backup is made all the same. If a release of the
SDK starts retrying or raises otherwise, these tests say so by failing.
"""

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    ServerResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest,
    GaussDBClient,
    MysqlCreateBackupRequest,
    ShowGaussMySqlBackupListRequest,
)

from conftest import AK, INSTANCE, PROJECT, SK

THROTTLED = "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"


def client(emulator, read_timeout=120):
    config = HttpConfig.get_default_config()
    config.timeout = (5, read_timeout)
    return (
        GaussDBClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([emulator.base])
        .with_http_config(config)
        .build()
    )


def create(c):
    body = MysqlCreateBackupRequest(instance_id=INSTANCE, name="struck-backup")
    return c.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body))


def backups(emulator):
    return emulator.control("GET", "/_emulator/state")["projects"][0]["backups"]


def sent(emulator, operation):
    """The requests of `operation` the emulator got: more than one means the client retried."""
    journal = emulator.control("GET", "/_emulator/requests")["requests"]
    return [r for r in journal if r["operation"] == operation]


# (fault on a backup create, what the SDK raises, the backups after)
CREATE_FAULTS = [
    pytest.param({"phase": "after", "preset": "server-error"}, ServerResponseException, 1, id="after-commit 500"),
    pytest.param({"phase": "after", "connection": "reset"}, ConnectionException, 1, id="after-commit reset"),
    pytest.param({"phase": "after", "connection": "close"}, ConnectionException, 1, id="after-commit close"),
    pytest.param({"preset": "busy"}, ClientRequestException, 0, id="409 busy"),
    pytest.param({"preset": "throttled"}, ClientRequestException, 0, id="429 throttled"),
    pytest.param({"preset": "backend-unavailable"}, ServerResponseException, 0, id="502 before"),
    pytest.param({"preset": "backend-timeout", "phase": "after"}, ServerResponseException, 1, id="504 after commit"),
]


@pytest.mark.parametrize("fault, raised, made", CREATE_FAULTS)
def test_a_fault_on_a_create_reaches_the_caller_once(emulator, fault, raised, made):
    set_fault = emulator.control("POST", "/_emulator/faults/requests", {"operation": "create", **fault})
    with pytest.raises(raised) as caught:
        create(client(emulator))
    assert len(backups(emulator)) == made
    [request] = sent(emulator, "create")
    assert request["fault"]["id"] == set_fault["id"]
    assert request["fault"]["committed"] is (made == 1)
    if "preset" in fault:
        # The body reached the caller whole: its code, message and (from X-Request-Id) the id.
        assert caught.value.status_code == set_fault["status"]
        assert caught.value.error_code == set_fault["error_code"]
        assert caught.value.error_msg == set_fault["error_msg"]
        assert caught.value.request_id == request["request_id"]


def test_an_after_commit_500_then_a_blind_retry_meets_the_backup_it_made(emulator):
    emulator.control("POST", "/_emulator/faults/requests",
                     {"operation": "create", "phase": "after", "preset": "server-error"})
    c = client(emulator)
    with pytest.raises(ServerResponseException):
        create(c)
    # The caller retries as if nothing was made: the backup it made is still building.
    with pytest.raises(ClientRequestException) as again:
        create(c)
    assert (again.value.status_code, again.value.error_code) == (409, "DBS.201205")
    assert len(backups(emulator)) == 1


def test_a_stalled_create_times_out_with_requests_own_exception_and_is_made(emulator):
    emulator.control("POST", "/_emulator/faults/requests",
                     {"operation": "create", "phase": "after", "connection": "stall"})
    # Not the SDK's RequestTimeoutException: the read timeout of requests escapes as it is.
    with pytest.raises(requests.exceptions.ReadTimeout):
        create(client(emulator, read_timeout=1))
    assert len(backups(emulator)) == 1


def test_a_trickled_answer_is_read_whole(emulator):
    emulator.control("POST", "/_emulator/faults/requests",
                     {"operation": "create", "phase": "after", "connection": "trickle", "interval": "1ms"})
    created = create(client(emulator))
    assert created.status_code == 201
    assert created.backup.status == "BUILDING"
    assert [b["id"] for b in backups(emulator)] == [created.backup.id]


def test_a_429_on_a_get_loses_its_body_to_urllib3s_retry(emulator):
    # The SDK sets Retry(total=0, status_forcelist=[429]): on an idempotent method urllib3
    # raises instead of answering, and the SDK makes the error from that text.
    emulator.control("POST", "/_emulator/faults/requests", {"operation": "list", "preset": "throttled"})
    c = client(emulator)
    with pytest.raises(ClientRequestException) as caught:
        c.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest())
    assert (caught.value.status_code, caught.value.error_code, caught.value.request_id) == (429, "429", "")
    assert "too many 429 error responses" in caught.value.error_msg
    assert THROTTLED not in caught.value.error_msg
    assert len(sent(emulator, "list")) == 1
    # On a POST the same answer is parsed whole.
    emulator.control("POST", "/_emulator/faults/requests", {"operation": "create", "preset": "throttled"})
    with pytest.raises(ClientRequestException) as posted:
        create(c)
    assert (posted.value.error_code, posted.value.error_msg) == ("APIGW.0308", THROTTLED)
