"""Time from process start to the first healthy answer, over RUNS starts; prints the median
and the worst in milliseconds."""

import socket
import statistics
import subprocess
import sys
import time

binary, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
port = 18999
request = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
times = []
for _ in range(runs):
    started = time.perf_counter()
    process = subprocess.Popen([binary, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(request)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            pass
        if time.perf_counter() - started > 5:
            raise SystemExit("no healthy answer within 5 s")
    times.append((time.perf_counter() - started) * 1000)
    process.terminate()
    process.wait()
print(f"{statistics.median(times):.1f} {max(times):.1f}")
