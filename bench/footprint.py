#!/usr/bin/env python3
"""What an instance with its nodes and a project with nothing in it cost in memory: the heap
the emulator holds for N of them less what it holds for none, per one.

    bench/footprint.py BINARY [ARGS...]   # prints "<bytes per instance> <bytes per project>"

The emulator runs under `valgrind --tool=massif`, seeded through a fixtures file; once it
answers, `vgdb snapshot` takes the heap as it is: the bytes of live blocks and the
allocator's overhead for each (`mem_heap_B` + `mem_heap_extra_B`). Unlike a process's RSS,
this leaves out what the fixtures' parsing freed. The emulator keeps its own copy of the
fixtures (a reset returns to them): that copy is counted, being part of what a project or an
instance costs. An instance is a fixtures' instance with defaults (a primary node and a read
replica, its policy, network, flavor and configuration). Environment: N (1000).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

N = int(os.environ.get("N", "1000"))


def project(n, instances):
    return {"id": f"{n:032x}", "quotas": {"instances": max(instances, 1)},
            "instances": [{"id": f"{n:08x}{i:024x}in07", "name": f"instance-{i:04d}", "node_count": 2}
                          for i in range(instances)]}


def heap(command, projects, work):
    """The heap, in bytes, of the emulator seeded with `projects`."""
    fixtures = os.path.join(work, "fixtures.json")
    with open(fixtures, "w") as f:
        json.dump({"projects": projects}, f)
    out = os.path.join(work, "massif.out")
    server = subprocess.Popen(
        ["valgrind", "--tool=massif", f"--massif-out-file={out}", "--vgdb=yes", *command,
         "--fixtures", fixtures],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        match = re.search(r"listening on http://[0-9.]+:(\d+)", server.stdout.readline())
        if not match:
            raise SystemExit("the emulator did not start")
        health = f"http://127.0.0.1:{match.group(1)}/_emulator/health"
        urllib.request.urlopen(health, timeout=60).read()
        snapshot = os.path.join(work, "snapshot")
        subprocess.run(["vgdb", f"--pid={server.pid}", "snapshot", snapshot], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = open(snapshot).read()
        return sum(int(re.search(rf"^{key}=(\d+)", text, re.M).group(1))
                   for key in ("mem_heap_B", "mem_heap_extra_B"))
    finally:
        server.terminate()
        server.wait(timeout=60)


def main():
    command = sys.argv[1:]
    if not command:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as work:
        one = heap(command, [project(0, 0)], work)
        instances = heap(command, [project(0, N)], work)
        projects = heap(command, [project(n, 0) for n in range(N + 1)], work)
    print(f"{(instances - one) / N:.0f} {(projects - one) / N:.0f}")


if __name__ == "__main__":
    main()
