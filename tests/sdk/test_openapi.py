"""A bounded schemathesis run: the emulated API (and its IAM) against the OpenAPI document it
serves. No answer may be a server error, and every answer must match the document."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Emulator

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def loose_emulator(tmp_path):
    running = Emulator(tmp_path)
    yield running
    running.stop()


def test_the_api_matches_its_openapi_document(loose_emulator):
    base = loose_emulator.base
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis), "run", f"{base}/_emulator/openapi.json",
            "--url", base,
            "--checks", CHECKS,
            # The control API changes how the emulator answers (it can inject 500s on
            # purpose); it has its own tests.
            "--exclude-tag", "control",
            "--header", "X-Auth-Token: schemathesis",
            "--max-examples", "25",
            "--seed", "20261126",
            "--request-timeout", "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert " passed" in summary, summary
