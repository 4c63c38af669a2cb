"""The pytest plugin (entry point ``pytest11``): an emulator per test session, a project per
test.

Fixtures:

- ``taurusdb_emulator`` (session): an :class:`~taurusdb_emulator.Emulator`, started with the
  options of ``--taurusdb-emulator-args``, or the one at ``--taurusdb-emulator-url``.
- ``taurusdb_project`` (function): a fresh :class:`~taurusdb_emulator.Project` of that
  emulator, with its own instance and credentials, removed after the test; tests that use it
  stay isolated, also when pytest-xdist runs them in parallel against one emulator.

Options, on the command line or in ``pytest.ini`` (``taurusdb_emulator_bin``,
``taurusdb_emulator_url``, ``taurusdb_emulator_args``, ``taurusdb_emulator_control_token``,
``taurusdb_emulator_ca``):

- ``--taurusdb-emulator-bin PATH``: the binary (default: the one this package installed);
- ``--taurusdb-emulator-url URL``: use an emulator that already runs (a Docker service);
- ``--taurusdb-emulator-args "..."``: options for the emulator started here;
- ``--taurusdb-emulator-control-token TOKEN``: its control token, if it has one (an emulator
  started here gets it by its environment, not its command line);
- ``--taurusdb-emulator-ca FILE``: the certificate to trust for an ``https://`` URL (one
  started here with TLS needs none: the plugin trusts the CA it makes, or its ``--tls-cert``).

An emulator started here ends with the pytest process, however that ends.
"""

from __future__ import annotations

from typing import Iterator, Optional

import pytest

from . import Emulator, Project, _arguments

_OPTIONS = {
    "bin": "the taurusdb-emulator binary (default: the one the package installed)",
    "url": "use the emulator already running at this URL instead of starting one",
    "args": "options for the emulator started for the session, e.g. \"--clock manual\"",
    "control_token": "the control token of the emulator (--control-token)",
    "ca": "the PEM certificate to trust for an https:// --taurusdb-emulator-url",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("taurusdb-emulator")
    for name, help in _OPTIONS.items():
        flag = "--taurusdb-emulator-" + name.replace("_", "-")
        group.addoption(flag, dest=f"taurusdb_emulator_{name}", default=None, help=help)
        parser.addini(f"taurusdb_emulator_{name}", help=help, default=None)


def _option(config: pytest.Config, name: str) -> Optional[str]:
    value = config.getoption(f"taurusdb_emulator_{name}")
    return value if value is not None else config.getini(f"taurusdb_emulator_{name}")


@pytest.fixture(scope="session")
def taurusdb_emulator(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """The session's emulator."""
    token = _option(pytestconfig, "control_token")
    url = _option(pytestconfig, "url")
    if url:
        yield Emulator.connect(url, control_token=token, ca_file=_option(pytestconfig, "ca"))
        return
    with Emulator(
        *_arguments(_option(pytestconfig, "args")),
        binary=_option(pytestconfig, "bin"),
        control_token=token,
    ) as emulator:
        yield emulator


@pytest.fixture
def taurusdb_project(taurusdb_emulator: Emulator) -> Iterator[Project]:
    """A project of the test's own, removed after it."""
    project = taurusdb_emulator.new_project()
    try:
        yield project
    finally:
        taurusdb_emulator.remove_project(project)
