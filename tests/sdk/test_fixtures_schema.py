"""The fixtures JSON Schema (docs/fixtures.schema.json) accepts every fixtures file of the
project and every snapshot the emulator writes, and refuses what the emulator refuses."""

import json
from pathlib import Path

import jsonschema_rs
import pytest

from conftest import FIXTURES, ROOT

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


@pytest.mark.parametrize(
    "broken",
    [
        {"projets": []},
        {"projects": [{"id": "not-hex"}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "prot": 3306}]}]},
        {"projects": [{"id": "0" * 32, "instances": [{"id": "x", "status": "RUNNING"}]}]},
    ],
)
def test_what_the_emulator_refuses_the_schema_refuses(broken):
    assert not VALIDATOR.is_valid(broken)
