"""Runs the image's last stage the way `docker run` does, with no Docker engine: Linux
namespaces (mount, PID, network, UTS, IPC) made by `unshare`, a root directory that holds
only what the stage copies plus what Docker gives every container, the stage's user, ENV and
ENTRYPOINT as PID 1; health checks and clients enter those namespaces with `nsenter`, as
`docker exec` and a published port do. Needs root (CI and the developers' machines are)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

# Device nodes Docker creates in every container's /dev (bind-mounted here from the host's).
DOCKER_DEVICES = ["null", "zero", "full", "random", "urandom", "tty"]

SETUP = r"""
set -eu
root=$1; hostname=$2; devices=$3; shift 3
mount --make-rprivate /
mkdir -p "$root/proc" "$root/dev" "$root/etc"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,mode=755,size=65536k tmpfs "$root/dev"
mkdir -p "$root/dev/shm"
mount -t tmpfs -o nosuid,nodev,noexec,size=65536k shm "$root/dev/shm"
for device in $devices; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
printf '%s\n' "$hostname" > "$root/etc/hostname"
: > "$root/etc/resolv.conf"
hostname "$hostname"
ip link set lo up
# The entrypoint replaces this shell, and so is PID 1 of the container, as under Docker.
exec "$@"
"""


class Container:
    """One container of the final stage. `devices` overrides Docker's device list."""

    def __init__(self, stage, binary, workdir, devices=None, env=None, wrap=()):
        self.stage = stage
        self.root = Path(workdir) / "rootfs"
        self.root.mkdir(mode=0o755, parents=True)
        for source_stage, source, destination in stage.copies:
            assert source_stage == "build", f"COPY from {source_stage} is not replayed"
            target = self.root / destination.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(binary, target)
            os.chmod(target, 0o755)
        self.hostname = "c0ffee000001"
        self.env = stage.container_env(self.hostname)
        self.env.update(env or {})
        uid, gid = stage.uid_gid
        devices = DOCKER_DEVICES if devices is None else devices
        self.log = Path(workdir) / "container.log"
        entry = [
            "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in self.env.items()], *wrap,
            "/usr/bin/unshare", f"--root={self.root}", "--wd=/",
            f"--setgid={gid}", f"--setuid={uid}", "--", *stage.argv,
        ]
        self.process = subprocess.Popen(
            ["unshare", "--mount", "--pid", "--net", "--uts", "--ipc", "--fork", "--kill-child",
             "bash", "-c", SETUP, "setup", str(self.root), self.hostname, " ".join(devices),
             *entry],
            stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.pid = self._init_pid()

    def _init_pid(self):
        """The host's PID of the container's PID 1 (the child `unshare --fork` made); `None`
        when the container exited at once."""
        deadline = time.monotonic() + 10
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        while time.monotonic() < deadline:
            try:
                pids = children.read_text().split()
            except OSError:
                pids = []
            if pids:
                return int(pids[0])
            if self.process.poll() is not None:
                return None
            time.sleep(0.01)
        raise AssertionError("the container did not start")

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_for_output(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError(f"{needle!r} not in the container's output: {self.output()!r}")

    def exec(self, argv, timeout):
        """Runs `argv` inside the container as `docker exec` (and an exec-form HEALTHCHECK)
        does: its namespaces, root, working directory, user and environment."""
        uid, gid = self.stage.uid_gid
        return subprocess.run(
            ["/usr/bin/env", "-i", *[f"{k}={v}" for k, v in self.env.items()],
             "/usr/bin/nsenter", f"--target={self.pid}", "--mount", "--uts", "--ipc", "--net",
             "--pid", "--root", "--wd", f"--setgid={gid}", f"--setuid={uid}", "--", *argv],
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )

    def healthcheck(self):
        """One run of the stage's HEALTHCHECK, within its timeout: the exit code."""
        check = self.stage.healthcheck
        try:
            return self.exec(check.command, timeout=check.timeout).returncode
        except subprocess.TimeoutExpired:
            return "timeout"

    def request(self, method, port, path, body=None, headers=None):
        """An HTTP request from the host to the container's port, as through `docker run -p`:
        the client joins only the container's network namespace."""
        script = (
            "import http.client, json, sys\n"
            "method, port, path, body, headers = json.loads(sys.argv[1])\n"
            "c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)\n"
            "c.request(method, path, body=body, headers=headers)\n"
            "r = c.getresponse()\n"
            "print(json.dumps({'status': r.status, 'headers': dict(r.getheaders()),"
            " 'body': r.read().decode()}))\n"
        )
        data = None if body is None else json.dumps(body)
        sent = dict(headers or {})
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        argument = json.dumps([method, port, path, data, sent])
        done = subprocess.run(
            ["nsenter", f"--target={self.pid}", "--net", "--", sys.executable, "-c", script,
             argument],
            capture_output=True, text=True, timeout=20,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def credentials(self):
        """The container's PID 1: its user, groups and root, as the host sees them."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines())
        return {
            "uid": fields["Uid"].split(),
            "gid": fields["Gid"].split(),
            "groups": fields["Groups"].split(),
            "root": os.readlink(f"/proc/{self.pid}/root"),
        }

    def stop(self, timeout=10):
        """`docker stop`: SIGTERM to PID 1, then the container's exit code."""
        os.kill(self.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout"

    def remove(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
