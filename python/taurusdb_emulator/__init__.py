"""Drive the TaurusDB emulator from Python: start it, use its control API, give each test a
project of its own.

    from taurusdb_emulator import Emulator

    with Emulator("--clock", "manual") as emulator:
        backup = create_a_backup(emulator.url, emulator.project_id, emulator.token)
        emulator.advance(5)                      # the backup is COMPLETED now

With pytest, the plugin gives the same as fixtures: ``taurusdb_emulator`` (one per session)
and ``taurusdb_project`` (a fresh project per test).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import sysconfig
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

__all__ = ["Emulator", "EmulatorError", "Project", "find_binary", "DEFAULT"]

_STARTUP = "taurusdb-emulator listening on "


class EmulatorError(Exception):
    """An error answered by the emulator, in the API's format."""

    def __init__(self, status: int, error_code: str, error_msg: str) -> None:
        super().__init__(f"{status} {error_code}: {error_msg}")
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg


@dataclass(frozen=True)
class Project:
    """A project of an emulator and the credentials that reach it."""

    url: str
    project_id: str
    instance_id: str
    token: str
    ak: str
    sk: str
    user: str
    password: str
    domain: str
    region: str = "eu-de"
    emulator: Optional["Emulator"] = field(default=None, compare=False, repr=False)

    def huawei_client(self) -> Any:
        """A GaussDB client of the Huawei Cloud SDK (``huaweicloudsdkgaussdb``), signing with
        this project's AK/SK, pointed at the emulator."""
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkgaussdb.v3 import GaussDBClient

        return (
            GaussDBClient.new_builder()
            .with_credentials(BasicCredentials(self.ak, self.sk, self.project_id))
            .with_endpoints([self.url])
            .build()
        )

    def otc_connection(self) -> Any:
        """An openstacksdk connection with the otcextensions, authenticated with this project's
        user and password against the emulator's IAM (whose catalog points at the emulator)."""
        import openstack
        from otcextensions import sdk

        conn = openstack.connect(
            auth_type="password",
            auth={
                "auth_url": f"{self.url}/v3",
                "username": self.user,
                "password": self.password,
                "user_domain_name": self.domain,
                "project_id": self.project_id,
            },
            load_yaml_config=False,
            load_envvars=False,
        )
        sdk.register_otc_extensions(conn)
        return conn


# The built-in fixtures of the binary (fixtures/default.json).
DEFAULT = {
    "project_id": "619d3e78f61b4be68bc5aa0b59edcf7b",
    "instance_id": "07033b125fd94a8a96896f8bcfee6ddain07",
    "token": "taurusdb-emulator-token",
    "ak": "TAURUSDBEMULATORAK00",
    "sk": "taurusdb-emulator-sk",
    "user": "emulator",
    "password": "emulator-password",
    "domain": "OTC-EU-DE-emulator",
}


def find_binary(explicit: Optional[str] = None) -> str:
    """The emulator's binary: `explicit`, else ``$TAURUSDB_EMULATOR_BIN``, else the one this
    package installed beside the Python that runs it, else one on ``PATH``."""
    for candidate in (explicit, os.environ.get("TAURUSDB_EMULATOR_BIN")):
        if candidate:
            return candidate
    scripts = Path(sysconfig.get_path("scripts"))
    for directory in (scripts, Path(sys.executable).parent):
        beside = directory / "taurusdb-emulator"
        if beside.is_file():
            return str(beside)
    found = shutil.which("taurusdb-emulator")
    if found:
        return found
    raise FileNotFoundError(
        "no taurusdb-emulator binary: install the taurusdb-emulator wheel, put the binary on "
        "PATH, or set TAURUSDB_EMULATOR_BIN"
    )


class Emulator:
    """A running emulator: one started here (``Emulator(*options)``), or one already running
    elsewhere (``Emulator.connect(url)``). A context manager; ``stop()`` ends one it started.
    One started here also ends when the process (the thread, strictly: Linux's parent-death
    signal) that started it ends, so that a killed test run leaves none behind.

    Attributes: ``url`` and the built-in project's ``project_id``, ``instance_id``, ``token``,
    ``ak``, ``sk``, ``user``, ``password`` and ``domain``.
    """

    def __init__(
        self,
        *options: str,
        binary: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        control_token: Optional[str] = None,
        start_timeout: float = 10.0,
    ) -> None:
        self._process: Optional[subprocess.Popen[str]] = None
        self.control_token = control_token
        environment = {**os.environ, **(env or {})}
        # A port given in the options is the emulator's; otherwise the OS picks a free one.
        port = [] if _given(options, "--port") else ["--port", "0"]
        args = [find_binary(binary), *port, *options]
        # Over HTTPS, the CA the emulator makes is what this class (and clients) trust: the
        # file its options name, the certificate chain it serves, or a temporary file.
        self.ca_file: Optional[str] = None
        self._own_ca_file = False
        tls = _given(options, "--tls") or _truthy(environment.get("TAURUSDB_EMULATOR_TLS"))
        named = _value(options, "--tls-ca-out") or environment.get("TAURUSDB_EMULATOR_TLS_CA_OUT")
        chain = _value(options, "--tls-cert") or environment.get("TAURUSDB_EMULATOR_TLS_CERT")
        if named:
            self.ca_file = named
        elif chain:
            self.ca_file = chain
        elif tls:
            import tempfile

            handle, self.ca_file = tempfile.mkstemp(prefix="taurusdb-emulator-ca-", suffix=".pem")
            os.close(handle)
            self._own_ca_file = True
            args += ["--tls-ca-out", self.ca_file]
        # The control token goes by the environment, which only its owner can read (a command
        # line is every local user's, through ps).
        if control_token is not None:
            environment["TAURUSDB_EMULATOR_CONTROL_TOKEN"] = control_token
        self._process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=environment,
            # The emulator ends with the process that started it, however that ends (a CI
            # job's SIGTERM, SIGKILL, os._exit): it would otherwise run on, orphaned.
            preexec_fn=_die_with_parent(os.getpid()),
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(start_timeout)
        if not line or not line[0].startswith(_STARTUP):
            self._process.kill()
            _, stderr = self._process.communicate(timeout=5)
            raise RuntimeError(f"the emulator did not start: {''.join(line)}{stderr}".strip())
        # Standard error is drained in the background so that logging never blocks the process.
        threading.Thread(target=self._process.stderr.read, daemon=True).start()
        self.url: str = line[0].strip()[len(_STARTUP):]
        self._set_defaults()

    @classmethod
    def connect(
        cls, url: str, control_token: Optional[str] = None, ca_file: Optional[str] = None
    ) -> "Emulator":
        """An emulator that already runs at `url` (a Docker service, say); not stopped here.
        For an https:// URL, `ca_file` is the certificate to trust."""
        emulator = cls.__new__(cls)
        emulator._process = None
        emulator.control_token = control_token
        emulator.ca_file = ca_file
        emulator.url = url.rstrip("/")
        emulator._set_defaults()
        emulator.health()
        return emulator

    def _set_defaults(self) -> None:
        self.project_id: str = DEFAULT["project_id"]
        self.instance_id: str = DEFAULT["instance_id"]
        self.token: str = DEFAULT["token"]
        self.ak: str = DEFAULT["ak"]
        self.sk: str = DEFAULT["sk"]
        self.user: str = DEFAULT["user"]
        self.password: str = DEFAULT["password"]
        self.domain: str = DEFAULT["domain"]

    # -- lifetime ------------------------------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        """Stops an emulator started here (SIGTERM, then SIGKILL after `timeout`); its exit
        code, or ``None`` for one only connected to."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._own_ca_file and self.ca_file is not None and os.path.exists(self.ca_file):
            os.remove(self.ca_file)
        return self._process.returncode

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def default_project(self) -> Project:
        """The built-in project, as a :class:`Project`."""
        return Project(
            url=self.url,
            project_id=self.project_id,
            instance_id=self.instance_id,
            token=self.token,
            ak=self.ak,
            sk=self.sk,
            user=self.user,
            password=self.password,
            domain=self.domain,
            emulator=self,
        )

    # -- the control API -----------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """One control request; its JSON answer, or :class:`EmulatorError`."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if method != "GET":
            request.add_header("Content-Type", "application/json")
        if self.control_token is not None:
            request.add_header("X-Emulator-Token", self.control_token)
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if self.ca_file is not None:
            import ssl

            context = ssl.create_default_context(cafile=self.ca_file)
            handlers.append(urllib.request.HTTPSHandler(context=context))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=630) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                answer = json.loads(text)
            except ValueError:
                answer = {}
            raise EmulatorError(
                error.code,
                answer.get("error_code", f"HTTP.{error.code}"),
                answer.get("error_msg", text),
            ) from None

    def health(self) -> Any:
        return self.control("GET", "/_emulator/health")

    def state(self, project_id: Optional[str] = None) -> Any:
        return self.control("GET", "/_emulator/state" + _project_query(project_id))

    def clock(self) -> Any:
        return self.control("GET", "/_emulator/clock")

    def advance(self, seconds: float) -> Any:
        """Moves the clock forward and applies everything due: instead of sleeping."""
        return self.control("POST", "/_emulator/clock/advance", {"seconds": seconds})

    def set_lifecycle(self, mode: str, **settings: Any) -> Any:
        """``time``, ``instant``, ``manual`` or ``reads`` (with ``reads=N``), and optionally
        ``backup_duration`` and ``automated_backups``."""
        return self.control("PUT", "/_emulator/lifecycle", {"mode": mode, **settings})

    def complete(self, backup_id: str) -> Any:
        return self.control("POST", f"/_emulator/backups/{backup_id}/complete")

    def fail(self, backup_id: str, reason: Optional[str] = None) -> Any:
        body = None if reason is None else {"reason": reason}
        return self.control("POST", f"/_emulator/backups/{backup_id}/fail", body)

    def hold(self, backup_id: str) -> Any:
        return self.control("POST", f"/_emulator/backups/{backup_id}/hold")

    def wait(self, backup_id: str, status: str = "COMPLETED", timeout: str = "30s") -> Any:
        """Waits until the backup has `status`; the backup as the list shows it."""
        query = urllib.parse.urlencode({"status": status, "timeout": timeout})
        return self.control("GET", f"/_emulator/backups/{backup_id}/wait?{query}")

    def complete_job(self, job_id: str) -> Any:
        """Completes a running job now: a restore, an instance's creation, or a backup's job."""
        return self.control("POST", f"/_emulator/jobs/{job_id}/complete")

    def fail_job(self, job_id: str, reason: Optional[str] = None) -> Any:
        body = None if reason is None else {"reason": reason}
        return self.control("POST", f"/_emulator/jobs/{job_id}/fail", body)

    def hold_job(self, job_id: str) -> Any:
        return self.control("POST", f"/_emulator/jobs/{job_id}/hold")

    def wait_job(self, job_id: str, status: str = "Completed", timeout: str = "30s") -> Any:
        """Waits until the job has `status`; the job as the task API shows it."""
        query = urllib.parse.urlencode({"status": status, "timeout": timeout})
        return self.control("GET", f"/_emulator/jobs/{job_id}/wait?{query}")

    def fault(
        self,
        operation: str,
        count: Optional[int] = None,
        status: Optional[int] = None,
        error_code: Optional[str] = None,
        error_msg: Optional[str] = None,
        delay: Optional[str] = None,
        *,
        phase: Optional[str] = None,
        rate: Optional[float] = None,
        preset: Optional[str] = None,
        connection: Optional[str] = None,
        interval: Optional[str] = None,
        method: Optional[str] = None,
        project_id: Optional[str] = None,
        instance_id: Optional[str] = None,
    ) -> Any:
        """Makes requests of `operation` fail: the next `count` (default 1) or a `rate` of them
        (drawn from the seeded sequence), `before` the operation runs or `after` it commits
        (`phase`), with an error (`preset`, or `status`, `error_code`, `error_msg`), a
        `connection` fault (`reset`, `close`, `stall`, `trickle` every `interval`) or an
        answer after `delay`; only requests of that `method`, `project_id`, `instance_id`
        when given."""
        body: dict[str, Any] = {"operation": operation}
        for key, value in (
            ("count", count),
            ("status", status),
            ("error_code", error_code),
            ("error_msg", error_msg),
            ("delay", delay),
            ("phase", phase),
            ("rate", rate),
            ("preset", preset),
            ("connection", connection),
            ("interval", interval),
            ("method", method),
            ("project_id", project_id),
            ("instance_id", instance_id),
        ):
            if value is not None:
                body[key] = value
        return self.control("POST", "/_emulator/faults/requests", body)

    def fail_backups(
        self,
        count: int = 1,
        instance_id: Optional[str] = None,
        reason: Optional[str] = None,
        operation: str = "backup",
    ) -> Any:
        """Makes the next `count` backups (of one instance, or any) fail; with `operation`
        `restore` or `create_instance`, the next restores or instance creations instead."""
        body: dict[str, Any] = {"count": count, "operation": operation}
        if instance_id is not None:
            body["instance_id"] = instance_id
        if reason is not None:
            body["reason"] = reason
        return self.control("POST", "/_emulator/faults/backups", body)

    def faults(self) -> Any:
        return self.control("GET", "/_emulator/faults")

    def clear_faults(self) -> Any:
        return self.control("DELETE", "/_emulator/faults")

    def reset(self, project_id: Optional[str] = None) -> Any:
        """Back to the starting fixtures: one project (removed if it was not in them), or all."""
        return self.control("POST", "/_emulator/reset" + _project_query(project_id))

    def snapshot(self, project_id: Optional[str] = None) -> Any:
        return self.control("GET", "/_emulator/snapshot" + _project_query(project_id))

    def load_fixtures(self, fixtures: Mapping[str, Any]) -> Any:
        """Adds (or replaces) the projects of a fixtures document."""
        return self.control("POST", "/_emulator/fixtures", fixtures)

    def add_logs(
        self,
        instance_id: str,
        error_logs: Sequence[Mapping[str, Any]] = (),
        slow_logs: Sequence[Mapping[str, Any]] = (),
    ) -> Any:
        """Adds error- and slow-log entries to an instance (the fixtures' ``logs`` format: a
        node left out is the master, a time left out now), for its log APIs to return."""
        body = {"error_logs": list(error_logs), "slow_logs": list(slow_logs)}
        return self.control("POST", f"/_emulator/instances/{instance_id}/logs", body)

    def requests(self) -> Any:
        """The journal of the last requests."""
        return self.control("GET", "/_emulator/requests")

    def clear_requests(self) -> Any:
        return self.control("DELETE", "/_emulator/requests")

    # -- projects of their own -----------------------------------------------------------------

    def new_project(
        self, instance_id: Optional[str] = None, **instance: Any
    ) -> Project:
        """A fresh project with one ACTIVE instance and credentials of its own (token, AK/SK,
        user and password), loaded through the fixtures endpoint. Other projects never see it.
        The instance id defaults to the built-in instance's, so code under test can keep the
        id it was written for."""
        project_id = secrets.token_hex(16)
        alphabet = string.ascii_uppercase + string.digits
        project = Project(
            url=self.url,
            project_id=project_id,
            instance_id=instance_id or self.instance_id,
            token=f"token-{secrets.token_hex(16)}",
            ak="".join(secrets.choice(alphabet) for _ in range(20)),
            sk=secrets.token_hex(20),
            user=f"user-{project_id[:12]}",
            password=secrets.token_urlsafe(16),
            domain=f"domain-{project_id[:12]}",
            emulator=self,
        )
        self.load_fixtures(
            {
                "projects": [
                    {
                        "id": project.project_id,
                        "name": project.region,
                        "tokens": [project.token],
                        "credentials": [{"ak": project.ak, "sk": project.sk}],
                        "users": [
                            {
                                "name": project.user,
                                "password": project.password,
                                "domain": project.domain,
                            }
                        ],
                        "instances": [{"id": project.instance_id, **instance}],
                    }
                ]
            }
        )
        return project

    def remove_project(self, project: Project) -> None:
        """Removes a project made by :meth:`new_project`, with all it holds."""
        self.reset(project.project_id)


def _project_query(project_id: Optional[str]) -> str:
    return "" if project_id is None else "?" + urllib.parse.urlencode({"project_id": project_id})


def _given(options: Sequence[str], flag: str) -> bool:
    """Whether `flag` is among `options`, alone or as ``flag=value``."""
    return any(o == flag or o.startswith(flag + "=") for o in options)


def _value(options: Sequence[str], flag: str) -> Optional[str]:
    """The value `options` give `flag` (``flag value`` or ``flag=value``), the last one wins."""
    found = None
    for i, option in enumerate(options):
        if option == flag and i + 1 < len(options):
            found = options[i + 1]
        elif option.startswith(flag + "="):
            found = option[len(flag) + 1:]
    return found


def _truthy(value: Optional[str]) -> bool:
    """A boolean environment variable as the emulator reads it."""
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off", "n", "f")


def _die_with_parent(parent: int) -> Any:
    """What the child runs before the emulator: asks Linux to send it SIGTERM when the process
    that started it ends (``PR_SET_PDEATHSIG``), and ends at once if that already happened.
    The C function is found here, before the fork: the child only calls it (no library is
    loaded between fork and exec, where another thread's lock could be held)."""
    import ctypes
    import signal

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    sigterm = int(signal.SIGTERM)

    def arm() -> None:
        prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return arm


def _arguments(text: Optional[str]) -> Sequence[str]:
    """Options written on one line, as in pytest.ini."""
    import shlex

    return shlex.split(text) if text else []
