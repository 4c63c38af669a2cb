#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: repeatable to the instruction for the same
binary and inputs, whatever else the machine does, unlike wall-clock throughput.

    bench/instructions.py create BINARY [ARGS...]       # creates on one keep-alive connection
                                                         # (over TLS with --tls, or the floor's tls)
    bench/instructions.py signed-create BINARY [ARGS...] # the same, AK/SK-signed as the Huawei
                                                         # SDK signs (with --tls: over TLS)
    bench/instructions.py list BACKUPS BINARY [ARGS...]  # list a page of 10 by instance
    bench/instructions.py signed-request HOST            # prints the signed create for wrk

The server runs under `valgrind --tool=callgrind` (all its threads counted); this script is the
client, outside valgrind. After a warm-up it zeroes the counters (`callgrind_control --zero`),
sends N requests one after another on one connection, dumps the counters and prints
`<instructions per request>` on standard output (details on standard error); with KEEP=FILE
the callgrind dump is kept there, for callgrind_annotate. For `list`, the
store is seeded with BACKUPS backups through a fixtures file, with instrumentation off while it
loads. Environment: WARMUP (200), REQUESTS (2000).
"""

import glob
import hashlib
import hmac
import http.client
import json
import ssl
import os
import re
import subprocess
import sys
import tempfile
import time

WARMUP = int(os.environ.get("WARMUP", "200"))
REQUESTS = int(os.environ.get("REQUESTS", "2000"))
PROJECT = "619d3e78f61b4be68bc5aa0b59edcf7b"
INSTANCE = "07033b125fd94a8a96896f8bcfee6ddain07"
CREATE = json.dumps({"instance_id": INSTANCE, "name": "backup-1", "description": "Manual backup"})
# The built-in fixtures' AK/SK, and the headers the Huawei Python SDK sends and signs.
AK, SK = "TAURUSDBEMULATORAK00", "taurusdb-emulator-sk"
USER_AGENT = "huaweicloud-usdk-python/3.0; os/Linux python/3.11.7 impl/CPython"


def start(command, work, instrument_at_start=True):
    out = os.path.join(work, "callgrind.out")
    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p",
         f"--instr-atstart={'yes' if instrument_at_start else 'no'}", *command],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    line = server.stdout.readline()
    match = re.search(r"listening on https?://[0-9.]+:(\d+)", line)
    if not match:
        log.seek(0)
        raise SystemExit(f"the server did not start: {line!r} {log.read()[-2000:]}")
    return server, int(match.group(1)), out


def control(server, *args):
    subprocess.run(["callgrind_control", *args, str(server.pid)], check=True,
                   stdout=subprocess.DEVNULL)


def counted(server, out, send):
    """Instructions per request of `send()` called REQUESTS times, warmed up first."""
    for _ in range(WARMUP):
        send()
    control(server, "--zero")
    started = time.monotonic()
    for _ in range(REQUESTS):
        send()
    control(server, "--dump")
    elapsed = time.monotonic() - started
    dumps = sorted(glob.glob(f"{out}.{server.pid}*"), key=os.path.getmtime)
    total = None
    for line in open(dumps[-1]):
        if line.startswith("totals:") or line.startswith("summary:"):
            total = int(line.split()[1])
    if os.environ.get("KEEP"):
        import shutil
        shutil.copy(dumps[-1], os.environ["KEEP"])
    server.terminate()
    server.wait(timeout=60)
    print(f"{total} instructions over {REQUESTS} requests ({elapsed:.1f} s under callgrind)",
          file=sys.stderr)
    return total / REQUESTS


def connection(port, tls=False):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(method, path, body=None, expect=200, headers=None):
        headers = headers or {"X-Auth-Token": "bench-token", "Content-Type": "application/json"}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != expect:
            raise SystemExit(f"{method} {path}: {response.status}")

    return request


def signed_headers(method, path, body, host):
    """The headers of a request signed as the Huawei SDK signs it (SDK-HMAC-SHA256): the
    canonical request over the signed headers and the body's hash, then HMAC with the SK."""
    date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    headers = {"Content-Type": "application/json;charset=utf-8", "Host": host,
               "User-Agent": USER_AGENT, "X-Project-Id": PROJECT, "X-Sdk-Date": date}
    names = sorted(h.lower() for h in headers)
    canonical = "\n".join([
        method, path if path.endswith("/") else path + "/", "",
        "".join(f"{n}:{v.strip()}\n" for n, v in sorted((k.lower(), v) for k, v in headers.items())),
        ";".join(names), hashlib.sha256(body.encode()).hexdigest()])
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(SK.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={';'.join(names)}, "
                                f"Signature={signature}")
    return headers


def main():
    mode = sys.argv[1]
    if mode == "signed-request":
        # For bench/signed_create.lua: the body, then one header a line, signed now for a
        # server at HOST (valid for the signature's 15 minutes, resent as it is).
        path = f"/v3/{PROJECT}/backups/create"
        print(CREATE)
        for name, value in signed_headers("POST", path, CREATE, sys.argv[2]).items():
            print(f"{name}: {value}")
        return
    with tempfile.TemporaryDirectory() as work:
        if mode == "create":
            command = sys.argv[2:]
            server, port, out = start(command, work)
            request = connection(port, tls="--tls" in command or command[-1:] == ["tls"])
            path = f"/v3/{PROJECT}/backups/create"
            per = counted(server, out, lambda: request("POST", path, CREATE, expect=201))
        elif mode == "signed-create":
            command = sys.argv[2:]
            server, port, out = start(command, work)
            request = connection(port, tls="--tls" in command)
            path = f"/v3/{PROJECT}/backups/create"
            host = f"127.0.0.1:{port}"
            per = counted(server, out, lambda: request(
                "POST", path, CREATE, expect=201, headers=signed_headers("POST", path, CREATE, host)))
        elif mode == "list":
            backups, command = int(sys.argv[2]), sys.argv[3:]
            fixtures = os.path.join(work, "fixtures.json")
            with open(fixtures, "w") as f:
                f.write('{"projects": [{"id": "%s", "instances": [{"id": "%s"}], "backups": ['
                        % (PROJECT, INSTANCE))
                for n in range(backups):
                    f.write(("," if n else "") + json.dumps({
                        "instance_id": INSTANCE, "name": f"seeded-{n:07d}",
                        "begin_time": "2026-%02d-%02dT%02d:%02d:%02dZ" % (
                            1 + n // 2_592_000 % 12, 1 + n // 86400 % 28, n // 3600 % 24,
                            n // 60 % 60, n % 60)}))
                f.write("]}]}")
            server, port, out = start([*command, "--fixtures", fixtures], work,
                                      instrument_at_start=False)
            control(server, "--instr=on")
            request = connection(port)
            path = f"/v3/{PROJECT}/backups?instance_id={INSTANCE}&limit=10"
            per = counted(server, out, lambda: request("GET", path))
        else:
            raise SystemExit(__doc__)
    print(f"{per:.0f}")


if __name__ == "__main__":
    main()
