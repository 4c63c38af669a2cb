#!/usr/bin/env python3
"""Lists cost by page, not by store: instructions per request of every list and of the
restorable times, counted by callgrind in a small store and in a large one, and their ratio.

    bench/scale.py SMALL BIG BINARY [ARGS...]   # prints a markdown table; exit 1 past 1.1x

Each store is seeded through a fixtures file (instrumentation off while it loads): BACKUPS
completed backups of one instance, one a minute, the newest ending an hour before the
emulator's (manual) clock, all within the instance's retention (732 days, the most a policy
keeps); and INSTANCES instances besides. SMALL and BIG are backup counts; the instances are
10 with the small store and 1 000 with the large one. Each query is sent REQUESTS (200)
times on one keep-alive connection after WARMUP (20), as in `bench/operations.py`. The
windows asked for (restorable times of a day and of an hour, six hours of incremental
backups) lie among the newest backups, so that both stores answer the same. The backup list
ordered by name is sorted on each request (by selection, linear in the instance's backups)
and is not in the table.
"""

import datetime
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instructions import INSTANCE, PROJECT, control, start  # noqa: E402
from operations import Client, counted, shown  # noqa: E402

NOW = datetime.datetime(2028, 12, 1, tzinfo=datetime.timezone.utc)
P = f"/v3/{PROJECT}"
INST = f"{P}/instances/{INSTANCE}"
DAY = NOW - datetime.timedelta(days=1)
# Windows among the newest backups, which both stores hold: an hour, and six.
HOUR_MS = int((NOW - datetime.timedelta(hours=3)).timestamp() * 1000)
FROM, TO = NOW - datetime.timedelta(hours=8), NOW - datetime.timedelta(hours=2)
QUERIES = [
    ("list", f"{P}/backups?instance_id={INSTANCE}&limit=10"),
    ("list (whole project)", f"{P}/backups?limit=10"),
    ("instance_backups", f"{INST}/backups"),
    ("restore_time", f"{INST}/restore-time"),
    ("restore_time (one day)", f"{INST}/restore-time?date={DAY:%Y-%m-%d}"),
    ("restore_time (an hour)", f"{INST}/restore-time?start_time={HOUR_MS}&end_time={HOUR_MS + 3600000}"),
    ("incremental_backups (six hours)", f"{INST}/incremental-backups?begin_time={FROM:%Y-%m-%dT%H:%M:%S}%2B0000"
                                        f"&end_time={TO:%Y-%m-%dT%H:%M:%S}%2B0000"),
    ("list_instances", f"{P}/instances?limit=10"),
    ("job", None),
]


def fixtures(path, backups, instances):
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    first = NOW - datetime.timedelta(hours=1, minutes=backups)
    policy = {"keep_days": 732, "start_time": "19:00-20:00", "period": "1,2,3,4,5,6,7"}
    with open(path, "w") as f:
        others = [{"id": f"{k:032x}in07", "name": f"instance-{k:04d}"} for k in range(1, instances + 1)]
        project = {"id": PROJECT, "quotas": {"instances": instances + 10},
                   "instances": [{"id": INSTANCE, "name": "seeded", "backup_policy": policy}, *others]}
        head = json.dumps(project)[:-1]
        f.write('{"projects": [' + head + ', "backups": [')
        for n in range(backups):
            begin = first + datetime.timedelta(minutes=n)
            f.write(("," if n else "") + json.dumps({
                "id": f"{n:032x}br07", "instance_id": INSTANCE, "name": f"seeded-{n % 977:04d}",
                "status": "COMPLETED", "size": 1, "begin_time": begin.strftime(fmt),
                "end_time": (begin + datetime.timedelta(seconds=30)).strftime(fmt)}))
        f.write("]}]}")


def measure(command, backups, instances):
    """Instructions per request of each query, in a store seeded with `backups` and
    `instances`."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "fixtures.json")
        fixtures(path, backups, instances)
        server, port, out = start([*command, "--fixtures", path, "--clock", "manual",
                                   "--start-time", NOW.strftime("%Y-%m-%dT%H:%M:%SZ")], work,
                                  instrument_at_start=False)
        client = Client(port)
        results = {}
        try:
            job = client.send("POST", f"{P}/backups/create", {"instance_id": INSTANCE, "name": "bench-backup"})
            assert job[0] == 201, job
            for name, path in QUERIES:
                path = path or f"{P}/jobs?id={job[1]['job_id']}"
                per, problem = counted(server, out, client, lambda c, i, p=path: ("GET", p, None), 200)
                if per is None:
                    raise SystemExit(f"{name}: {problem}")
                results[name] = per
        finally:
            server.terminate()
            server.wait(timeout=120)
    return results


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    small, big, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    few = measure(command, small, 10)
    many = measure(command, big, 1000)
    rows = [f"| query | {shown(small)} backups, 10 instances | {shown(big)} backups, 1 000 instances | ratio | result |",
            "| --- | --- | --- | --- | --- |"]
    failed = []
    for name, _ in QUERIES:
        ratio = many[name] / few[name]
        result = "met" if ratio <= 1.1 else "**missed**"
        if ratio > 1.1:
            failed.append(name)
        rows.append(f"| {name} | {shown(few[name])} | {shown(many[name])} | **{ratio:.2f}×** | {result} |")
    print("\n".join(rows))
    if failed:
        print(f"past 1.1x: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
