#!/usr/bin/env python3
"""One instance's backup list with many backups: the time one request takes, for one binary or
several compared in the same run (best of ROUNDS, each binary in turn, so that a noisy
machine weighs on all alike).

    bench/instance_backups.py BINARY [BINARY...]

The store is seeded through a fixtures file with BACKUPS (100 000) completed backups of one
instance, all older than its retention; each binary answers `GET
/v3/{project}/instances/{instance}/backups` by default (newest first), ordered by name, and at
a deep offset, and the instance's restorable times (one instant per backup). Environment:
BACKUPS, ROUNDS (5).
"""

import datetime
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

PROJECT = "0" * 31 + "1"
INSTANCE = "aaaa0000000000000000000000000001in07"
QUERIES = ["backups", "backups?order_field=name&order_rule=asc", "backups?offset=99990&limit=10",
           "restore-time"]


def fixtures(path, count):
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    backups = [
        {"id": f"{n:032x}br07", "instance_id": INSTANCE, "name": f"backup-{n % 977:04d}",
         "status": "COMPLETED", "size": 1,
         "begin_time": (start + datetime.timedelta(minutes=n)).strftime(fmt),
         "end_time": (start + datetime.timedelta(minutes=n, seconds=5)).strftime(fmt)}
        for n in range(count)
    ]
    project = {"id": PROJECT, "tokens": ["t"], "instances": [{"id": INSTANCE}], "backups": backups}
    with open(path, "w") as f:
        json.dump({"projects": [project]}, f)


def start(binary, fixtures_path):
    process = subprocess.Popen(
        [binary, "--port", "0", "--fixtures", fixtures_path, "--automated-backups", "false",
         "--clock", "manual", "--start-time", "2026-04-01T00:00:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    return process, int(line.strip().rsplit(":", 1)[1])


def timed(port, query):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", f"/v3/{PROJECT}/instances/{INSTANCE}/{query}",
                       headers={"X-Auth-Token": "t"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, response.status
    connection.close()
    return elapsed


def main():
    binaries = sys.argv[1:]
    if not binaries:
        sys.exit(__doc__)
    rounds = int(os.environ.get("ROUNDS", "5"))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fixtures.json")
        fixtures(path, int(os.environ.get("BACKUPS", "100000")))
        servers = [start(b, path) for b in binaries]
        best = {(b, q): float("inf") for b in binaries for q in QUERIES}
        try:
            for _ in range(rounds):
                for query in QUERIES:
                    for binary, (_, port) in zip(binaries, servers):
                        best[binary, query] = min(best[binary, query], timed(port, query))
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait()
    print("| query | " + " | ".join(binaries) + " |")
    print("| --- |" + " --- |" * len(binaries))
    for query in QUERIES:
        cells = [f"{best[b, query] * 1000:.1f} ms" for b in binaries]
        print(f"| `{query}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
