"""Starts the built emulator for each contract test, on a port the OS picks."""

import json
import os
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("TAURUSDB_EMULATOR_BIN", ROOT / "target" / "debug" / "taurusdb-emulator"))

# The made-up identities of clients.md's captures.
PROJECT = "0123456789abcdef0123456789abcdef"
OTHER_PROJECT = "fedcba9876543210fedcba9876543210"
INSTANCE = PROJECT + "in07"
AK = "TESTAK0000000000"
SK = "testsecret"
TOKEN = "test-token"
USER = "testuser"
PASSWORD = "testpass"
DOMAIN = "OTC00000000001000000000"

FIXTURES = {
    "projects": [
        {
            "id": PROJECT,
            "name": "eu-de",
            "tokens": [TOKEN],
            "credentials": [{"ak": AK, "sk": SK}],
            "users": [{"name": USER, "password": PASSWORD, "domain": DOMAIN}],
            "instances": [{"id": INSTANCE, "name": "taurusdb-instance01"}],
        },
        {
            "id": OTHER_PROJECT,
            "name": "eu-nl",
            "tokens": ["other-token"],
            "instances": [{"id": OTHER_PROJECT + "in07"}],
        },
    ]
}

# Clients must reach the emulator directly, whatever proxy the machine has.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


class Emulator:
    """A running emulator process and its control API."""

    def __init__(self, tmp_path, *args, fixtures=FIXTURES):
        """Starts the emulator with these fixtures (None: the built-in ones) and arguments."""
        if fixtures is not None:
            path = tmp_path / "fixtures.json"
            path.write_text(json.dumps(fixtures))
            args = ("--fixtures", str(path), *args)
        self.process = subprocess.Popen(
            [str(BINARY), "--port", "0", "--automated-backups", "false", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()))
        reader.start()
        reader.join(timeout=10)
        if not line or not line[0].startswith("taurusdb-emulator listening on "):
            self.stop()
            raise RuntimeError(f"the emulator did not start: {line} {self.process.stderr.read()}")
        self.base = line[0].strip().removeprefix("taurusdb-emulator listening on ")

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def advance(self, seconds):
        """Moves the emulator's clock instead of sleeping."""
        return self.control("POST", "/_emulator/clock/advance", {"seconds": seconds})

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def emulator(tmp_path):
    """An emulator in strict auth: only the fixtures' credentials are accepted."""
    running = Emulator(tmp_path, "--auth", "strict")
    yield running
    running.stop()
